"""``marsad serve``: the web interface and JSON API over a store (marsad.web.app)."""

from __future__ import annotations

import ipaddress
import os
import socket

import click

from marsad.cli import EXIT_USAGE, CLIError, err, handle_errors

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
WORKER_HEALTHCHECK_SECONDS = 60


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_port(host: str, port: int) -> None:
    """Fail with one clear line now, rather than a uvicorn traceback after start-up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as exc:
            reason = "is in use" if exc.errno in (98, 48) else f"cannot be used ({exc.strerror or exc})"
            raise CLIError(f"port {port} on {host} {reason}; pick another with --port", EXIT_USAGE) from None


@click.command()
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="Store: a SQLite file or postgresql:// URL (default: $MARSAD_DB or ./marsad.db).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default serves this machine only.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--token", envvar="MARSAD_WEB_TOKEN", default=None, metavar="TOKEN",
              help="Write token (or $MARSAD_WEB_TOKEN). Without it the server is read-only; with it the "
                   "Analyse page and POST /api/analyze may store articles when the request carries it.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Server processes (one per core for many concurrent users).")
@click.option("--lang", default="en", show_default=True, help="Interface language (strings/<lang>.yaml).")
@click.option("--cache/--no-cache", default=True, show_default=True,
              help="Keep query results until the store changes (off: every request queries the store).")
@handle_errors
def serve(db: str | None, host: str, port: int, token: str | None, workers: int, lang: str, cache: bool) -> None:
    """Serve the web interface and JSON API (http://HOST:PORT/, API docs at /docs).

    Read-only by default, and bound to 127.0.0.1.  Pages: / (overview, search), /dyad/A/B,
    /actor/ID, /article/ID, /analyze; each has a JSON twin under /api/.
    """
    import uvicorn

    from marsad.web.app import CACHE_SECONDS, create_app
    from marsad.web.i18n import available_languages
    from marsad.web.server import HTTP_PROTOCOL

    if lang not in available_languages():
        raise CLIError(f"no interface strings for --lang {lang!r} (have: {', '.join(available_languages())})",
                       EXIT_USAGE)
    if token is not None and len(token.strip()) < 12:
        raise CLIError("--token is too short: use at least 12 characters (e.g. from `openssl rand -hex 16`)",
                       EXIT_USAGE)
    loopback = _is_loopback(host)
    allowed = LOOPBACK_NAMES if loopback else None
    if not loopback:
        err(f"warning: listening on {host}: the store's contents are readable by anyone who can reach this "
            "address (no authentication for reading)")
    cache_seconds = CACHE_SECONDS if cache else 0.0
    # opening the store here turns a missing/locked/newer store into one line and exit 5
    app = create_app(db, token=token, lang=lang, allowed_hosts=allowed, cache_seconds=cache_seconds)
    store = app.state.web.store
    _check_port(host, port)
    mode = "read-write with token" if token else "read-only"
    err(f"serving {store.location} ({mode}) on http://{host if ':' not in host else f'[{host}]'}:{port}/ "
        f"— API docs at /docs; Ctrl-C stops")
    if workers == 1:
        uvicorn.run(app, host=host.strip("[]"), port=port, log_level="warning", server_header=False,
                    proxy_headers=False, http=HTTP_PROTOCOL)
        return
    # several processes: each imports the app through the factory, configured by environment
    store.close()
    os.environ["MARSAD_DB"] = str(db) if db is not None else os.environ.get("MARSAD_DB", "")
    if token:
        os.environ["MARSAD_WEB_TOKEN"] = token
    os.environ["MARSAD_WEB_LANG"] = lang
    os.environ["MARSAD_WEB_CACHE_SECONDS"] = str(cache_seconds)
    if allowed:
        os.environ["MARSAD_WEB_HOSTS"] = ",".join(allowed)
    # the supervisor kills a worker that does not answer its ping within the timeout (5 s by
    # default): a worker busy with a first, uncached aggregation on a loaded machine is not hung
    uvicorn.run("marsad.web.app:app_from_env", factory=True, host=host.strip("[]"), port=port, workers=workers,
                log_level="warning", server_header=False, proxy_headers=False, http=HTTP_PROTOCOL,
                timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS)


def register(main: click.Group) -> None:
    main.add_command(serve)
