"""Running the web app under uvicorn.

One fix travels with it: with ``--workers`` uvicorn binds the listening socket itself, without
``IPPROTO_TCP``, and asyncio then leaves Nagle's algorithm on for the accepted connections.
Every small response (an error, a stylesheet, a short JSON answer) is written as two packets,
headers then body, and the second waits for the client's delayed ACK: ~40 ms per request on a
kept-alive connection.  The protocol classes below switch Nagle off for each connection.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def _no_delay(transport: Any) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class H11NoDelayProtocol(H11Protocol):
    """uvicorn's pure-Python HTTP/1.1 protocol, with TCP_NODELAY on every connection."""

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        _no_delay(transport)
        super().connection_made(transport)


try:  # the faster parser, when installed (uvicorn[standard])
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HttpToolsNoDelayProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, with TCP_NODELAY on every connection."""

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            _no_delay(transport)
            super().connection_made(transport)

    HTTP_PROTOCOL: type = HttpToolsNoDelayProtocol
except ImportError:
    HTTP_PROTOCOL = H11NoDelayProtocol
