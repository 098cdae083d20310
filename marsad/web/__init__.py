"""The web interface and JSON API (``marsad serve``): see :mod:`marsad.web.app`."""
