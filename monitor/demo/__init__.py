"""The bundled sample news site and local servers that `monitor demo` (and the tests) run on loopback."""
