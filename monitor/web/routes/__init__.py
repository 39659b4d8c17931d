"""Route groups of the console: one module per page group, each with its pages and its API."""
