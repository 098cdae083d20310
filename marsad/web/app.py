"""marsad's web interface and JSON API (FastAPI).

Every HTML page has a JSON twin under ``/api`` and both are built from the same
:mod:`marsad.queries` functions (no SQL here).  The interface is read-only unless the server
was started with a write token; article text is untrusted, so templates autoescape
everything, highlights are built from segments (never from HTML strings), scripts come only
from ``/static`` (a strict Content-Security-Policy forbids inline code) and chart data travels
in an escaped ``application/json`` block.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
from collections.abc import Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode, urlsplit

from fastapi import FastAPI, File, Form, Header, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marsad import queries as Q
from marsad.model import MODES
from marsad.queries import QueryError
from marsad.store import Store, StoreError, actor_store_id, open_store
from marsad.web import api_models as M
from marsad.web.cache import QuerySlots, ResultCache, StoreVersion
from marsad.web.charts import actor_chart, dyad_chart
from marsad.web.highlight import highlight
from marsad.web.i18n import DEFAULT_LANG, Strings, load_strings

log = logging.getLogger("marsad.web")

HERE = Path(__file__).resolve().parent
#: No inline script or style, no plugins, no framing, nothing from other origins.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
#: Largest article accepted by the Analyse page and POST /api/analyze.
MAX_ANALYZE_BYTES = 2 * 1024 * 1024
PERIODS = ("all", "1y", "90d", "30d")
_PERIOD_DAYS = {"1y": 365, "90d": 90, "30d": 30}
#: Results are cached until the store changes; for a PostgreSQL store (no file to watch) at
#: most this many seconds.  0 turns the cache off.
CACHE_SECONDS = 30.0


# -- responses ------------------------------------------------------------------------------
class JSONResponse(Response):
    """JSON with Arabic kept readable; dicts from the queries go out as they are."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response (cheaper than BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None = None) -> None:
        self.app = app
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed_hosts is not None and not self._host_ok(scope):
            # DNS rebinding: a page elsewhere that resolves its name to 127.0.0.1 must not read the API
            await JSONResponse({"detail": "unexpected Host header"}, status_code=400)(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in have]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _host_ok(self, scope: Scope) -> bool:
        host = ""
        for k, v in scope.get("headers", []):
            if k == b"host":
                host = v.decode("latin-1")
                break
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in (self.allowed_hosts or ())


# -- state ----------------------------------------------------------------------------------
@dataclass
class WebState:
    """What the routes share: the store, the write token, the interface strings, the result cache."""

    store: Store
    token: str | None
    strings: Strings
    env: Environment
    cache: ResultCache
    slots: QuerySlots = field(default_factory=QuerySlots)

    @property
    def writable(self) -> bool:
        return bool(self.token) and not self.store.readonly

    def cached(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """A query result, reused until the store changes (see marsad.web.cache); computed in
        one of a few query slots."""
        return self.cache.get(key, lambda: self.slots.run(compute))

    def json_body(self, key: Hashable, compute: Callable[[], Any]) -> bytes:
        """The JSON body of an API answer, cached as bytes next to the result it serialises."""
        return self.cache.get(("json", key), lambda: JSONResponse(self.cached(key, compute)).body)

    async def json(self, key: Hashable, compute: Callable[[], Any]) -> Response:
        """An API response: from the cache on the event loop (no thread hop), else computed in
        the thread pool (queries block)."""
        found, body = self.cache.peek(("json", key))
        if not found:
            body = await run_in_threadpool(self.json_body, key, compute)
        return Response(body, media_type="application/json")

    def forget(self) -> None:
        self.cache.clear()

    def known_countries(self) -> set[str]:
        return self.cached("known_countries", lambda: Q.known_countries(self.store))

    def country(self, code: str, what: str = "country") -> str:
        """``code`` checked by the queries' own rule (unknown code → QueryError → 400)."""
        return Q.check_country(self.store, code, what, known=self.known_countries())


@lru_cache(maxsize=4096)
def country_name(code: str | None) -> str | None:
    """English name of a country code (or IGO:X) from the actor dictionary, for labels."""
    if not code:
        return None
    try:
        from marsad.kb import default_kb

        kb = default_kb()
        if code.startswith("IGO:"):
            e = kb.get(code[4:].lower()) or next(iter(kb.by_country(code)), None)
        else:
            e = kb.country_entry(code)
        return e.name if e else None
    except Exception:  # the dictionary is decoration here: codes still show
        return None


# -- template helpers -------------------------------------------------------------------------
def safe_url(value: str | None) -> str | None:
    """A URL from the data, only if it is http(s): never javascript:, data: or anything else."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    try:
        parts = urlsplit(v)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in v for c in "\x00\r\n\t"):
        return v
    return None


def seg(value: Any) -> str:
    """One path segment: everything percent-encoded (ids come from data)."""
    return quote(str(value), safe="")


def has_arabic(value: Any) -> bool:
    return isinstance(value, str) and any("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in value)


def _query_string(params: dict[str, Any]) -> str:
    items: list[tuple[str, str]] = []
    for k, v in params.items():
        if v is None or v == "" or v == []:
            continue
        if isinstance(v, list | tuple):
            items.extend((k, str(x)) for x in v)
        else:
            items.append((k, str(v)))
    return ("?" + urlencode(items)) if items else ""


def make_env(strings: Strings) -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(t=strings, qs=_query_string, country_name=country_name, lang=strings.lang)
    env.filters.update(safe_url=safe_url, seg=seg, has_arabic=has_arabic,
                       num=lambda n: f"{int(n or 0):,}", dec=lambda x: "–" if x is None else f"{float(x):+.1f}")
    return env


# -- the app --------------------------------------------------------------------------------
def create_app(db: str | os.PathLike[str] | None = None, *, token: str | None = None, lang: str = DEFAULT_LANG,
               store: Store | None = None, allowed_hosts: tuple[str, ...] | None = None,
               cache_seconds: float = CACHE_SECONDS) -> FastAPI:
    """The web app over the store at ``db`` (opened read-only unless a write ``token`` is given).

    ``allowed_hosts``: Host header names accepted (``marsad serve`` passes the loopback names
    when bound to 127.0.0.1); None accepts any.  Raises StoreError when the store cannot be opened.
    """
    if token is not None and not token.strip():
        raise ValueError("the write token must not be empty")
    if store is None:
        store = open_store(db, readonly=token is None)
    strings = load_strings(lang)
    cache = ResultCache(StoreVersion(store, ttl=cache_seconds), enabled=cache_seconds > 0)
    state = WebState(store, token, strings, make_env(strings), cache)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        yield
        store.close()

    app = FastAPI(
        title="marsad", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Arabic news → event data. Every page of the web interface has a JSON twin here; "
                    "they call the same query functions as the `marsad` command line. Read-only unless "
                    "the server was started with a write token.",
        default_response_class=JSONResponse,
    )
    app.state.web = state
    app.add_middleware(SecurityHeaders, allowed_hosts=allowed_hosts)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _error_handlers(app, state)
    _api_routes(app, state)
    _page_routes(app, state)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` (several workers): settings from the environment that
    ``marsad serve`` sets (MARSAD_DB, MARSAD_WEB_TOKEN, MARSAD_WEB_LANG, MARSAD_WEB_HOSTS,
    MARSAD_WEB_CACHE_SECONDS)."""
    hosts = os.environ.get("MARSAD_WEB_HOSTS")
    return create_app(os.environ.get("MARSAD_DB") or None, token=os.environ.get("MARSAD_WEB_TOKEN") or None,
                      lang=os.environ.get("MARSAD_WEB_LANG") or DEFAULT_LANG,
                      allowed_hosts=tuple(hosts.split(",")) if hosts else None,
                      cache_seconds=float(os.environ.get("MARSAD_WEB_CACHE_SECONDS", CACHE_SECONDS)))


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("marsad")
    except Exception:
        return "0"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _render(state: WebState, request: Request, template: str, ctx: dict[str, Any], status: int = 200,
            json_url: str | None = None) -> HTMLResponse:
    html = state.env.get_template(template).render(
        request=request, path=request.url.path, json_url=json_url, writable=state.writable,
        q=request.query_params.get("q", ""), **ctx)
    return HTMLResponse(html, status_code=status)


def _error_handlers(app: FastAPI, state: WebState) -> None:
    def problem(request: Request, status: int, message: str) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=status)
        title = {404: "error.not_found", 400: "error.bad_request", 503: "error.store"}.get(status, "error.title")
        return _render(state, request, "error.html", {"status": status, "message": message, "heading": title},
                       status=status)

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> Response:
        return problem(request, 400, str(exc))

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        log.error("store error: %s", exc)
        return problem(request, 503, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return problem(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errs = exc.errors()
        if _is_api(request):
            return JSONResponse({"detail": [{k: e.get(k) for k in ("loc", "msg", "type")} for e in errs]},
                                status_code=422)
        msg = "; ".join(f"{'.'.join(str(x) for x in e.get('loc', ())[1:]) or 'input'}: {e.get('msg')}" for e in errs)
        return problem(request, 422, msg)


class _NotFound(StarletteHTTPException):
    def __init__(self, what: str) -> None:
        super().__init__(404, what)


# -- shared computations of pages and their twins ----------------------------------------------
Limit = Annotated[int, Query(ge=1, le=500, description="At most this many items per list.")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Skip this many items.")]
DateParam = Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD (inclusive)", max_length=10)]
Modes = Annotated[list[str] | None, Query(description="Only these modes (repeat, or comma-separated): "
                                                      "asserted, claimed, denied, negated, future, hypothetical")]


def _modes(mode: list[str] | None) -> list[str] | None:
    if not mode:
        return None
    out = [m.strip() for v in mode for m in v.split(",") if m.strip()]
    return out or None


def _period(state: WebState, period: str | None, since: str | None, until: str | None) -> dict[str, Any]:
    """since/until of a named period, ending at the store's latest publication day."""
    stats = state.cached("stats", lambda: Q.stats(state.store))
    last = (stats["published"]["last"] or "")[:10] or None
    if since or until:
        Q.date_bound(since, True, "since")  # validated by the queries' rule: 400 on a bad date
        Q.date_bound(until, False, "until")
        return {"period": "custom", "since": since or None, "until": until or None, "anchor": last}
    p = period or "1y"
    if p not in PERIODS:
        raise QueryError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    if p == "all" or not last:
        return {"period": p, "since": None, "until": None, "anchor": last}
    try:
        end = dt.date.fromisoformat(last)
    except ValueError:
        return {"period": p, "since": None, "until": None, "anchor": last}
    return {"period": p, "since": (end - dt.timedelta(days=_PERIOD_DAYS[p])).isoformat(), "until": end.isoformat(),
            "anchor": last}


def stats_page(state: WebState, period: str | None, since: str | None, until: str | None,
               limit: int = 15) -> dict[str, Any]:
    per = _period(state, period, since, until)
    key = (per["since"], per["until"], limit)
    top_dyads = state.cached(("top_dyads", key), lambda: Q.top_dyads(
        state.store, since=per["since"], until=per["until"], limit=limit))
    top_actors = state.cached(("top_actors", key), lambda: Q.top_actors(
        state.store, since=per["since"], until=per["until"], limit=limit))
    stats = state.cached("stats", lambda: Q.stats(state.store))
    return {"stats": stats, "period": per, "top_dyads": top_dyads, "top_actors": top_actors}


def articles_page(state: WebState, q: str | None, limit: int, offset: int) -> dict[str, Any]:
    if q and q.strip():
        return Q.search(state.store, q, limit=limit, offset=offset)
    return Q.list_articles(state.store, limit=limit, offset=offset)


def dyad_page(state: WebState, a: str, b: str, by: str, mode: list[str] | None, since: str | None,
              until: str | None, limit: int) -> dict[str, Any]:
    ca, cb = state.country(a, "country A"), state.country(b, "country B")
    if ca == cb:
        raise QueryError("a dyad needs two different actors")
    modes = _modes(mode)
    s = state.store
    tl = Q.timeline(s, ca, cb, by=by, modes=modes, since=since, until=until)
    ev = {"a_to_b": Q.events(s, source=ca, target=cb, mode=modes, since=since, until=until, limit=limit),
          "b_to_a": Q.events(s, source=cb, target=ca, mode=modes, since=since, until=until, limit=limit)}
    qu = {"a_about_b": Q.quotes(s, speaker=ca, about=cb, since=since, until=until, limit=limit),
          "b_about_a": Q.quotes(s, speaker=cb, about=ca, since=since, until=until, limit=limit)}
    return {"a": {"code": ca, "name": country_name(ca)}, "b": {"code": cb, "name": country_name(cb)},
            "timeline": tl, "events": ev, "quotes": qu}


def actor_page(state: WebState, actor_id: str, limit: int) -> dict[str, Any] | str:
    """The actor's page data, or the id to redirect to when ``actor_id`` is a name of exactly one actor."""
    res = Q.actor(state.store, actor_id, limit=limit)
    if res is not None:
        return res
    ids = [i for i in Q.resolve_actor(state.store, actor_id) if i != actor_id]
    found = [i for i in ids if Q.actor(state.store, i, limit=1) is not None]
    if len(found) == 1:
        return found[0]
    raise _NotFound(f"no actor {actor_id!r} in the store")


def article_page(state: WebState, article_id: str) -> dict[str, Any]:
    res = Q.article(state.store, article_id)
    if res is None:
        raise _NotFound(f"no article {article_id!r} in the store")
    return res


# -- analysis view (shared by the article and analyse pages) --------------------------------------
def analysis_view(analysis: dict[str, Any], link_actors: bool) -> dict[str, Any]:
    """What the analysis partial needs: segments of the highlighted text and the tables' rows."""
    actors = []
    for a in analysis.get("actors") or []:
        sid = actor_store_id(a.get("id"), a["name"], a.get("country"), a.get("type"))
        actors.append({**a, "store_id": sid if link_actors else None,
                       "surfaces": sorted({m["text"] for m in a.get("mentions") or []})})
    labels = [f"{a['name']} ({a['country']})" if a.get("country") else a["name"] for a in actors]
    hl = highlight(analysis.get("text") or "", analysis, labels)
    if hl.dropped:
        log.warning("article %s: %d spans did not match the text and were not highlighted",
                    analysis.get("id"), hl.dropped)
    return {"segments": hl.segments, "dropped": hl.dropped, "actors": actors,
            "quotes": analysis.get("quotes") or [], "events": analysis.get("events") or [],
            "times": analysis.get("times") or [], "warnings": analysis.get("warnings") or [],
            "lang": analysis.get("language") or "ar"}


def _check_token(state: WebState, given: str | None) -> None:
    if not state.writable:
        raise StarletteHTTPException(403, "this server is read-only: start it with `marsad serve --token ...` "
                                          "to store analysed articles")
    if not given or not hmac.compare_digest(given.encode(), (state.token or "").encode()):
        raise StarletteHTTPException(401, "a valid write token is needed to store articles")


def _bearer(authorization: str | None, x_token: str | None) -> str | None:
    if x_token:
        return x_token.strip()
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


def run_analysis(state: WebState, fields: dict[str, Any], store_it: bool) -> tuple[dict[str, Any], bool]:
    """Analyse one article (and write it when asked and allowed); the analysis dict and whether stored."""
    from marsad.model import Article
    from marsad.pipeline import AnalysisError, analyze

    text = fields.get("text") or ""
    if not text.strip():
        raise QueryError("the article text is empty")
    if len(text.encode("utf-8")) > MAX_ANALYZE_BYTES:
        raise StarletteHTTPException(413, f"the article is larger than {MAX_ANALYZE_BYTES // (1024 * 1024)} MB")
    art = Article(text=text, id=fields.get("id") or None, title=fields.get("title") or None,
                  published=fields.get("published") or None, url=fields.get("url") or None,
                  source=fields.get("source") or None)
    try:
        analysis = analyze(art)
    except AnalysisError as exc:
        raise QueryError(str(exc)) from exc
    stored = False
    if store_it:
        from marsad.store import StoredArticle

        state.store.write_articles([StoredArticle.from_analysis(analysis)])
        state.forget()
        stored = True
    return analysis.to_dict(), stored


# -- API routes -----------------------------------------------------------------------------
_PROBLEMS: dict[int | str, dict[str, Any]] = {400: {"model": M.Problem, "description": "Invalid filter value"}}


def _api_routes(app: FastAPI, state: WebState) -> None:
    @app.get("/api/stats", tags=["pages"], summary="Home page: corpus stats, most active pairs and actors",
             responses={200: {"model": M.StatsPage}, **_PROBLEMS})
    async def api_stats(period: Annotated[Literal["all", "1y", "90d", "30d"] | None, Query()] = None,
                  since: DateParam = None, until: DateParam = None, limit: Limit = 15) -> Response:
        return await state.json(("stats", period, since, until, limit), lambda: stats_page(state, period, since, until, limit))

    @app.get("/api/articles", tags=["pages"], summary="Full-text search (with q) or the latest articles",
             responses={200: {"model": M.ArticlesPage}, **_PROBLEMS})
    async def api_articles(q: Annotated[str | None, Query(max_length=500, description="Words (ANDed) and \"phrases\"; "
                                                     "diacritics, hamza forms and attached و ف ب ل ك do not matter")]
                     = None, limit: Limit = 20, offset: Offset = 0) -> Response:
        return await state.json(("articles", q, limit, offset), lambda: articles_page(state, q, limit, offset))

    @app.get("/api/dyad/{a}/{b}", tags=["pages"], summary="A pair: timeline both ways, events and quotes",
             responses={200: {"model": M.DyadPage}, **_PROBLEMS})
    async def api_dyad(a: str, b: str, by: Annotated[Literal["day", "week", "month"], Query()] = "month",
                 mode: Modes = None, since: DateParam = None, until: DateParam = None,
                 limit: Limit = 20) -> Response:
        key = ("dyad", a, b, by, tuple(mode or ()), since, until, limit)
        return await state.json(key, lambda: dyad_page(state, a, b, by, mode, since, until, limit))

    @app.get("/api/actor/{actor_id:path}", tags=["pages"], summary="An actor: meetings, events, quotes",
             responses={200: {"model": M.ActorPage}, 404: {"model": M.Problem}})
    async def api_actor(actor_id: str, limit: Limit = 50) -> Response:
        res = await run_in_threadpool(state.cached, ("actor", actor_id, limit), lambda: actor_page(state, actor_id, limit))
        if isinstance(res, str):
            return RedirectResponse(f"/api/actor/{seg(res)}" + _query_string({"limit": limit}), status_code=307)
        return await state.json(("actor", actor_id, limit), lambda: res)

    @app.get("/api/article/{article_id}", tags=["pages"], summary="An article, its analysis and duplicate cluster",
             responses={200: {"model": M.ArticlePage}, 404: {"model": M.Problem}})
    async def api_article(article_id: str) -> Response:
        return await state.json(("article", article_id), lambda: article_page(state, article_id))

    @app.post("/api/analyze", tags=["analyse"], summary="Analyse an article (and store it, with the write token)",
              responses={200: {"model": M.AnalyzeResult}, 400: {"model": M.Problem},
                         401: {"model": M.Problem}, 403: {"model": M.Problem}, 413: {"model": M.Problem}})
    def api_analyze(body: M.AnalyzeRequest,
                    authorization: Annotated[str | None, Header(description="Bearer TOKEN, to store")] = None,
                    x_marsad_token: Annotated[str | None, Header(description="or the token alone")] = None) -> Response:
        if body.store:
            _check_token(state, _bearer(authorization, x_marsad_token))
        analysis, stored = run_analysis(state, body.model_dump(), body.store)
        return JSONResponse({"analysis": analysis, "stored": stored})


# -- HTML routes ----------------------------------------------------------------------------
def _page_routes(app: FastAPI, state: WebState) -> None:
    html = {"response_class": HTMLResponse, "include_in_schema": False}

    @app.get("/", **html)
    def home(request: Request, period: Annotated[str | None, Query(max_length=10)] = None,
             since: DateParam = None, until: DateParam = None) -> Response:
        data = state.cached(("stats", period, since, until, 15), lambda: stats_page(state, period, since, until))
        return _render(state, request, "home.html", {"data": data, "periods": PERIODS},
                       json_url="/api/stats" + _query_string({"period": period, "since": since, "until": until}))

    @app.get("/articles", **html)
    def articles(request: Request, q: Annotated[str | None, Query(max_length=500)] = None, limit: Limit = 20,
                 offset: Offset = 0) -> Response:
        data = state.cached(("articles", q, limit, offset), lambda: articles_page(state, q, limit, offset))
        return _render(state, request, "articles.html", {"data": data, "query": q or "", "limit": limit,
                                                         "offset": offset},
                       json_url="/api/articles" + _query_string({"q": q, "limit": limit, "offset": offset}))

    @app.get("/dyad/{a}/{b}", **html)
    def dyad(request: Request, a: str, b: str, by: Annotated[Literal["week", "month"], Query()] = "month",
             mode: Modes = None, since: DateParam = None, until: DateParam = None, limit: Limit = 20) -> Response:
        data = state.cached(("dyad", a, b, by, tuple(mode or ()), since, until, limit),
                            lambda: dyad_page(state, a, b, by, mode, since, until, limit))
        ca, cb = data["a"]["code"], data["b"]["code"]
        chart = dyad_chart(data["timeline"])
        chart["strings"] = _chart_strings(state, f"{ca} → {cb}", f"{cb} → {ca}")
        params = {"by": by, "mode": _modes(mode), "since": since, "until": until, "limit": limit}
        return _render(state, request, "dyad.html", {
            "data": data, "chart": chart, "by": by, "modes": _modes(mode) or [], "since": since or "",
            "until": until or "", "swap_url": f"/dyad/{seg(cb)}/{seg(ca)}" + _query_string(params),
            "all_modes": list(MODES)}, json_url=f"/api/dyad/{seg(ca)}/{seg(cb)}" + _query_string(params))

    @app.get("/actor/{actor_id:path}", **html)
    def actor(request: Request, actor_id: str, limit: Limit = 50) -> Response:
        res = state.cached(("actor", actor_id, limit), lambda: actor_page(state, actor_id, limit))
        if isinstance(res, str):
            return RedirectResponse(f"/actor/{seg(res)}", status_code=307)
        chart = actor_chart(res["timeline"])
        chart["strings"] = _chart_strings(state, state.strings("actor.as_source"), state.strings("actor.as_target"))
        return _render(state, request, "actor.html", {"data": res, "chart": chart},
                       json_url=f"/api/actor/{seg(actor_id)}")

    @app.get("/article/{article_id}", **html)
    def article(request: Request, article_id: str) -> Response:
        data = state.cached(("article", article_id), lambda: article_page(state, article_id))
        view = analysis_view(data["analysis"], link_actors=True) if data["analysis"] else None
        return _render(state, request, "article.html", {"data": data, "view": view},
                       json_url=f"/api/article/{seg(article_id)}")

    @app.get("/analyze", **html)
    def analyze_form(request: Request) -> Response:
        form = dict.fromkeys(("text", "title", "published", "url", "source"), "")
        return _render(state, request, "analyze.html", {"form": form, "view": None, "result": None, "error": None})

    @app.post("/analyze", **html)
    async def analyze_submit(request: Request, text: Annotated[str, Form()] = "",
                             file: Annotated[UploadFile | None, File()] = None,
                             title: Annotated[str, Form()] = "", published: Annotated[str, Form()] = "",
                             url: Annotated[str, Form()] = "", source: Annotated[str, Form()] = "",
                             store: Annotated[str, Form()] = "", token: Annotated[str, Form()] = "") -> Response:
        form = {"text": text, "title": title, "published": published, "url": url, "source": source}
        error = None
        result = None
        view = None
        status = 200
        try:
            if file is not None and file.filename:
                form.update(await _read_upload(file, form))
            if store:
                _check_token(state, token)
            analysis, stored = await run_in_threadpool(run_analysis, state, form, bool(store))
            view = analysis_view(analysis, link_actors=stored)
            result = {"analysis": analysis, "stored": stored}
        except QueryError as exc:
            error, status = str(exc), 400
        except StarletteHTTPException as exc:
            error, status = str(exc.detail), exc.status_code
        if len(form.get("text") or "") > 200_000:
            form["text"] = ""  # do not echo a huge text back into the form
        return _render(state, request, "analyze.html", {"form": form, "view": view, "result": result,
                                                        "error": error}, status=status)

    @app.get("/docs", **html)
    def docs(request: Request) -> Response:
        return _render(state, request, "docs.html", {}, json_url="/openapi.json")


def _chart_strings(state: WebState, up: str, down: str) -> dict[str, Any]:
    """Interface text the chart script shows (legend, axes), from the strings file."""
    return {"quad": state.strings.subset("quad"), "mode": state.strings.subset("mode"),
            "goldstein": state.strings("common.goldstein"), "events": state.strings("common.events"),
            "up": up, "down": down}


async def _read_upload(file: UploadFile, form: dict[str, Any]) -> dict[str, Any]:
    """An uploaded .txt/.html file → text (and title/date when the file has them)."""
    from marsad.reader import InputError, read_article_bytes, split_title

    data = await file.read(MAX_ANALYZE_BYTES + 1)
    if len(data) > MAX_ANALYZE_BYTES:
        raise StarletteHTTPException(413, f"the file is larger than {MAX_ANALYZE_BYTES // (1024 * 1024)} MB")
    try:
        dec = read_article_bytes(data, file.filename or "upload")
    except InputError as exc:
        raise QueryError(str(exc)) from exc
    out: dict[str, Any] = {"text": dec.text}
    title = dec.title
    if not title and dec.encoding != "html":
        title, out["text"] = split_title(dec.text)
    if title and not form.get("title"):
        out["title"] = title
    if dec.published and not form.get("published"):
        out["published"] = dec.published[:10]
    return out
