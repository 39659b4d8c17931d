"""The web console and the JSON API (see monitor/web/server.py)."""
