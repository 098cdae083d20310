"""The web app in-process (FastAPI TestClient) over a real SQLite store built from the example
articles with the real pipeline and dedup: JSON twins equal the query functions, filters are
validated, writes need the token, untrusted text is escaped, every page carries the CSP."""

from __future__ import annotations

import json
import re
import shutil
import socket
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pg import postgres_server  # noqa: F401
from web_store import XSS_ID, XSS_IMG, XSS_SCRIPT, build_store

from marsad import queries as Q
from marsad.store import StoreError, open_store
from marsad.web.app import CSP, create_app, safe_url
from marsad.web.charts import mirrored_series, period_axis
from marsad.web.highlight import highlight
from marsad.web.i18n import load_strings

WEB = Path(__file__).resolve().parents[1] / "marsad" / "web"
TOKEN = "test-token-0123456789"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("web") / "examples.db"
    info = build_store(path)
    return {"path": path, **info}


@pytest.fixture(scope="module")
def client(built: dict[str, Any]) -> TestClient:
    app = create_app(built["path"])
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def store(built: dict[str, Any]):
    s = open_store(built["path"], readonly=True)
    yield s
    s.close()


@pytest.fixture
def writable(built: dict[str, Any], tmp_path: Path) -> TestClient:
    """A server with a write token, over a copy of the store."""
    path = tmp_path / "w.db"
    shutil.copy(built["path"], path)
    with TestClient(create_app(path, token=TOKEN)) as c:
        yield c


class Elements(HTMLParser):
    """Collects elements (tag, attrs) and the text inside elements carrying given attributes."""

    def __init__(self, collect: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.collect = collect
        self.stack: list[str | None] = []
        self.texts: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        self.tags.append((tag, d))
        if tag == "script":
            self._script = d
            self.scripts.append((d, ""))
        if tag in ("br", "img", "input", "meta", "link"):
            return
        self.stack.append(d.get(self.collect) if self.collect else None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None
        if tag in ("br", "img", "input", "meta", "link"):
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            d, text = self.scripts[-1]
            self.scripts[-1] = (d, text + data)
        for key in {k for k in self.stack if k is not None}:
            self.texts[key] = self.texts.get(key, "") + data


def parse(html: str, collect: str | None = None) -> Elements:
    p = Elements(collect)
    p.feed(html)
    return p


# -- JSON twins are the query functions ---------------------------------------------------------
def test_stats_twin(client: TestClient, store, built) -> None:
    r = client.get("/api/stats", params={"period": "all"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    d = r.json()
    assert d["stats"]["articles"]["total"] == len(built["ids"])
    assert d["top_dyads"] == json.loads(json.dumps(Q.top_dyads(store, limit=15)))
    assert d["top_actors"] == json.loads(json.dumps(Q.top_actors(store, limit=15)))
    assert d["period"] == {"period": "all", "since": None, "until": None, "anchor": "2024-10-24"}
    # the default period: the last 12 months before the latest publication day
    d = client.get("/api/stats").json()
    assert d["period"]["since"] == "2023-10-25" and d["period"]["until"] == "2024-10-24"
    assert d["top_dyads"] == json.loads(json.dumps(Q.top_dyads(store, since="2023-10-25", until="2024-10-24",
                                                               limit=15)))
    custom = client.get("/api/stats", params={"since": "2023-09", "until": "2023-09"}).json()
    assert custom["period"]["period"] == "custom"
    assert custom["top_dyads"] == json.loads(json.dumps(Q.top_dyads(store, since="2023-09", until="2023-09",
                                                                    limit=15)))


def test_dyad_twin(client: TestClient, store) -> None:
    d = client.get("/api/dyad/RUS/PRK").json()
    assert d["a"] == {"code": "RUS", "name": "Russia"} and d["b"]["code"] == "PRK"
    assert d["timeline"] == json.loads(json.dumps(Q.timeline(store, "RUS", "PRK", by="month")))
    a_to_b = d["events"]["a_to_b"]["items"]
    b_to_a = d["events"]["b_to_a"]["items"]
    assert a_to_b and b_to_a  # the Russia–North Korea storyline runs through the examples
    assert all(e["source"]["country"] == "RUS" and e["target"]["country"] == "PRK" for e in a_to_b)
    assert all(e["source"]["country"] == "PRK" and e["target"]["country"] == "RUS" for e in b_to_a)
    assert d["events"]["a_to_b"] == json.loads(json.dumps(Q.events(store, source="RUS", target="PRK", limit=20)))
    assert d["quotes"]["a_about_b"] == json.loads(json.dumps(Q.quotes(store, speaker="RUS", about="PRK", limit=20)))
    # lower case is the same dyad; week buckets
    low = client.get("/api/dyad/rus/prk", params={"by": "week"}).json()
    assert low["a"]["code"] == "RUS" and all("-W" in p["period"] for p in low["timeline"]["periods"])


def test_dyad_filters(client: TestClient) -> None:
    d = client.get("/api/dyad/RUS/PRK", params={"mode": "claimed"}).json()
    items = d["events"]["a_to_b"]["items"] + d["events"]["b_to_a"]["items"]
    assert items and {e["mode"] for e in items} == {"claimed"}
    assert all(set(p["modes"]) <= {"claimed"} for p in d["timeline"]["periods"])
    two = client.get("/api/dyad/RUS/PRK?mode=claimed&mode=denied").json()
    assert {e["mode"] for e in two["events"]["b_to_a"]["items"] + two["events"]["a_to_b"]["items"]} <= {
        "claimed", "denied"}
    d = client.get("/api/dyad/RUS/PRK", params={"since": "2024-01", "until": "2024-06", "limit": 3}).json()
    assert all("2024-01" <= p["period"] <= "2024-06" for p in d["timeline"]["periods"])
    assert len(d["events"]["a_to_b"]["items"]) <= 3


@pytest.mark.parametrize("url,status,needle", [
    ("/api/dyad/RUS/XYZ", 400, "XYZ"),
    ("/api/dyad/QQQ/PRK", 400, "QQQ"),
    ("/api/dyad/RUS/russia", 400, "not a country code"),
    ("/api/dyad/RUS/RUS", 400, "two different"),
    ("/api/dyad/RUS/PRK?mode=rumoured", 400, "rumoured"),
    ("/api/dyad/RUS/PRK?since=2024-13", 400, "since"),
    ("/api/dyad/RUS/PRK?since=yesterday", 400, "yesterday"),
    ("/api/dyad/RUS/PRK?by=year", 422, "by"),
    ("/api/dyad/RUS/PRK?limit=0", 422, "limit"),
    ("/api/dyad/RUS/PRK?limit=abc", 422, "limit"),
    ("/api/dyad/RUS/PRK?limit=100000", 422, "limit"),
    ("/api/articles?limit=-1", 422, "limit"),
    ("/api/articles?offset=-5", 422, "offset"),
    ("/api/stats?period=decade", 422, "period"),
    ("/api/stats?since=2023-02-30x", 422, "since"),
    ("/api/articles?q=%22%22", 400, "empty"),
])
def test_bad_filters(client: TestClient, url: str, status: int, needle: str) -> None:
    r = client.get(url)
    assert r.status_code == status, r.text
    assert needle in json.dumps(r.json()["detail"], ensure_ascii=False)


def test_bad_filter_pages_are_html(client: TestClient) -> None:
    r = client.get("/dyad/RUS/XYZ")
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/html")
    assert "unknown country B code" in r.text and "XYZ" in r.text
    r = client.get("/dyad/RUS/PRK?limit=abc")
    assert r.status_code == 422 and "limit" in r.text
    r = client.get("/article/no-such-article")
    assert r.status_code == 404 and "no-such-article" in r.text
    assert client.get("/api/article/no-such-article").json() == {"detail": "no article 'no-such-article' in the store"}
    assert client.get("/api/actor/nobody-at-all").status_code == 404
    assert client.get("/no/such/page").status_code == 404


def test_articles_search_and_listing(client: TestClient, store) -> None:
    d = client.get("/api/articles", params={"q": "كوريا الشمالية"}).json()
    assert d == json.loads(json.dumps(Q.search(store, "كوريا الشمالية")))
    assert d["items"] and all(i["id"] for i in d["items"])
    # a word with an attached clitic still matches (the search function's normalisation)
    assert client.get("/api/articles", params={"q": "بيونغيانغ"}).json()["items"]
    page1 = client.get("/api/articles", params={"limit": 5}).json()
    page2 = client.get("/api/articles", params={"limit": 5, "offset": 5}).json()
    assert page1 == json.loads(json.dumps(Q.list_articles(store, limit=5)))
    assert page1["has_more"] and len(page1["items"]) == 5
    ids = [i["id"] for i in page1["items"] + page2["items"]]
    assert len(set(ids)) == 10
    pubs = [i["published"] for i in page1["items"] + page2["items"]]
    assert pubs == sorted(pubs, reverse=True)
    html = client.get("/articles", params={"q": "لافروف"}).text
    assert "<mark>" in html and "/article/seed-lavrov-pyongyang" in html


def test_article_twin_and_highlights(client: TestClient, store) -> None:
    aid = "006-putin-pyongyang-treaty"
    d = client.get(f"/api/article/{aid}").json()
    assert d == json.loads(json.dumps(Q.article(store, aid)))
    an = d["analysis"]
    assert an["quotes"] and an["events"] and an["actors"]
    page = client.get(f"/article/{aid}").text
    # every quote's highlighted segments join up to exactly the quote (offsets from the store)
    quotes = parse(page, "data-quote").texts
    for i, q in enumerate(an["quotes"]):
        assert quotes.get(str(i)) == q["text"], i
    triggers = parse(page, "data-trigger").texts
    hit = [i for i, e in enumerate(an["events"]) if triggers.get(str(i)) == e["trigger"]["text"]]
    assert len(hit) >= len(an["events"]) - 1  # a trigger inside a longer trigger may be hidden
    # the highlighted text reads exactly as the stored text
    els = parse(page, "class")
    text_div = [k for k in els.texts if k == "article-text"]
    assert text_div and els.texts["article-text"] == an["text"]
    # clicking a highlight goes to its row; rows link back
    assert 'href="#quote-0"' in page or 'data-quote="0"' in page
    assert 'id="event-0"' in page and 'href="#t-trigger-0"' in page
    assert 'lang="ar" dir="rtl"' in page


def test_article_cluster(client: TestClient, built) -> None:
    # the scraper copy (017) is an exact duplicate of 006 after cleaning: one cluster
    assert built["clusters"].get("017-putin-pyongyang-scraper-copy") == "006-putin-pyongyang-treaty"
    d = client.get("/api/article/017-putin-pyongyang-scraper-copy").json()
    assert [c["id"] for c in d["cluster"]] == ["006-putin-pyongyang-treaty"]
    page = client.get("/article/006-putin-pyongyang-treaty").text
    assert 'href="/article/017-putin-pyongyang-scraper-copy"' in page
    lone = client.get("/article/014-saudi-iran-beijing").text
    assert load_strings()("article.cluster_none") in lone


def test_actor_twin(client: TestClient, store) -> None:
    top = Q.top_actors(store, limit=5)
    person = next(a for a in Q.top_actors(store, limit=50) if a["type"] == "PER")
    for a in (top[0], person):
        d = client.get(f"/api/actor/{a['id']}").json()
        assert d == json.loads(json.dumps(Q.actor(store, a["id"], limit=50)))
        page = client.get(f"/actor/{a['id']}").text
        assert a["name"] in page
    d = client.get(f"/api/actor/{person['id']}").json()
    assert d["events"] and d["timeline"]
    # a name resolves to the one actor of that name
    r = client.get(f"/actor/{person['name']}", follow_redirects=False)
    assert r.status_code == 307 and r.headers["location"] == f"/actor/{person['id']}"


def test_home_and_dyad_pages(client: TestClient) -> None:
    home = client.get("/").text
    assert 'href="/dyad/PRK/RUS"' in home
    page = client.get("/dyad/RUS/PRK").text
    blocks = [(d, t) for d, t in parse(page).scripts if d.get("type") == "application/json"]
    assert len(blocks) == 1
    chart = json.loads(blocks[0][1])
    assert chart["up"] == "RUS>PRK" and chart["down"] == "PRK>RUS"
    tl = client.get("/api/dyad/RUS/PRK").json()["timeline"]
    up_total = sum(p["events"] for p in tl["periods"] if p["direction"] == "RUS>PRK")
    down_total = sum(p["events"] for p in tl["periods"] if p["direction"] == "PRK>RUS")
    assert sum(sum(v) for v in chart["quad"]["RUS>PRK"].values()) == up_total > 0
    assert sum(sum(v) for v in chart["quad"]["PRK>RUS"].values()) == -down_total < 0
    assert sum(sum(v) for v in chart["modes"]["RUS>PRK"].values()) == up_total
    assert chart["labels"] == sorted(chart["labels"])  # a continuous, ordered month axis
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js">' in page


# -- analyse, and writing only with the token -----------------------------------------------------
OWN_TEXT = ("استقبل الرئيس الروسي فلاديمير بوتين في موسكو أمس الثلاثاء وزير الخارجية الصيني وانغ يي. "
            "وقال بوتين إن \"العلاقات بين البلدين في أفضل حالاتها\".")


def test_analyze_api(client: TestClient) -> None:
    r = client.post("/api/analyze", json={"text": OWN_TEXT, "published": "2024-04-10", "title": "زيارة"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["stored"] is False
    an = d["analysis"]
    assert an["published"] == "2024-04-10" and an["actors"]
    for sp in [m for a in an["actors"] for m in a["mentions"]] + an["quotes"] + [e["trigger"] for e in an["events"]]:
        assert an["text"][sp["start"]:sp["end"]] == sp["text"]
    assert any(t["value"] == "2024-04-09" for t in an["times"])  # أمس الثلاثاء
    assert client.get(f"/api/article/{an['id']}").status_code == 404  # nothing stored


@pytest.mark.parametrize("body,status", [
    ({"text": "   "}, 400),
    ({"text": OWN_TEXT, "published": "10/04/2024"}, 400),
    ({"text": OWN_TEXT, "colour": "red"}, 422),
    ({"title": "no text"}, 422),
    ({"text": "ا" * (2 * 1024 * 1024)}, 413),
])
def test_analyze_bad_input(client: TestClient, body: dict, status: int) -> None:
    r = client.post("/api/analyze", json=body)
    assert r.status_code == status, r.text[:300]
    assert "detail" in r.json()


def test_store_needs_token(client: TestClient, writable: TestClient) -> None:
    body = {"text": OWN_TEXT, "published": "2024-04-10", "store": True}
    r = client.post("/api/analyze", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]  # no token configured: never writes
    assert writable.post("/api/analyze", json=body).status_code == 401
    assert writable.post("/api/analyze", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    r = writable.post("/api/analyze", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200 and r.json()["stored"] is True
    aid = r.json()["analysis"]["id"]
    got = writable.get(f"/api/article/{aid}").json()
    assert got["article"]["title"] is None and got["analysis"]["text"] == r.json()["analysis"]["text"]
    r = writable.post("/api/analyze", json={**body, "text": OWN_TEXT + " وأضاف."},
                      headers={"X-Marsad-Token": TOKEN})
    assert r.status_code == 200 and r.json()["stored"]
    # analysing without storing needs no token on the writable server either
    assert writable.post("/api/analyze", json={"text": OWN_TEXT}).json()["stored"] is False


def test_analyze_page(client: TestClient, writable: TestClient) -> None:
    form = client.get("/analyze").text
    assert 'name="token"' not in form  # read-only server: no store option
    r = client.post("/analyze", data={"text": OWN_TEXT, "published": "2024-04-10"})
    assert r.status_code == 200 and "hl-actor" in r.text and "hl-quote" in r.text
    r = client.post("/analyze", files={"file": ("a.txt", ("زيارة وانغ يي\n" + OWN_TEXT).encode("cp1256"), "text/plain")})
    assert r.status_code == 200 and "hl-actor" in r.text and 'value="زيارة وانغ يي"' in r.text  # first line → title
    r = client.post("/analyze", data={"text": OWN_TEXT, "store": "1", "token": TOKEN})
    assert r.status_code == 403 and "read-only" in r.text
    r = client.post("/analyze", data={"text": ""})
    assert r.status_code == 400 and "empty" in r.text
    assert 'name="token"' in writable.get("/analyze").text
    r = writable.post("/analyze", data={"text": OWN_TEXT, "store": "1", "token": "nope"})
    assert r.status_code == 401
    r = writable.post("/analyze", data={"text": OWN_TEXT, "store": "1", "token": TOKEN})
    assert r.status_code == 200 and "/article/" in r.text


def test_readonly_store_is_opened_readonly(built) -> None:
    app = create_app(built["path"])
    assert app.state.web.store.readonly and not app.state.web.writable
    app.state.web.store.close()
    with pytest.raises(StoreError):
        create_app(built["path"].parent / "missing.db")


# -- security -------------------------------------------------------------------------------
PAGES = ["/", "/articles", "/articles?q=لافروف", "/dyad/RUS/PRK", "/actor/RUS", "/article/006-putin-pyongyang-treaty",
         f"/article/{XSS_ID}", "/analyze", "/docs", "/dyad/RUS/XYZ", "/article/none"]


@pytest.mark.parametrize("url", PAGES + ["/api/stats", "/openapi.json", "/static/js/charts.js", "/api/article/none"])
def test_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("url", PAGES)
def test_no_inline_code(client: TestClient, url: str) -> None:
    page = parse(client.get(url).text)
    for tag, attrs in page.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)  # the CSP would block it anyway
        for k in ("href", "src", "action"):
            v = (attrs.get(k) or "").strip().lower()
            assert not v.startswith(("javascript:", "data:text", "vbscript:")), (tag, attrs)
    for attrs, body in page.scripts:
        assert attrs.get("src", "").startswith("/static/") or attrs.get("type") == "application/json", attrs
        if attrs.get("type") == "application/json":
            assert "<" not in body and json.loads(body) is not None


def test_payload_article_is_escaped(client: TestClient) -> None:
    d = client.get(f"/api/article/{XSS_ID}").json()
    assert XSS_SCRIPT in d["analysis"]["text"] and XSS_IMG in d["analysis"]["text"]  # stored as text, as given
    for url in (f"/article/{XSS_ID}", "/articles?q=موسكو", "/articles", "/dyad/RUS/PRK", "/actor/RUS"):
        html = client.get(url).text
        assert "<script>window" not in html and "<img src=x" not in html and "<svg" not in html, url
        assert "<iframe" not in html and "onmouseover=" not in html.replace("onmouseover=&#34;", ""), url
    html = client.get(f"/article/{XSS_ID}").text
    assert "&lt;script&gt;window.__xss=1;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html.lower()
    # the payload's quote is still highlighted, as escaped text
    assert any(XSS_IMG in q["text"] for q in d["analysis"]["quotes"])


def test_host_header_checked_when_bound_to_loopback(built) -> None:
    app = create_app(built["path"], allowed_hosts=("127.0.0.1", "localhost"))
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/api/stats").status_code == 200
        assert c.get("/api/stats", headers={"host": "localhost:8000"}).status_code == 200
        r = c.get("/api/stats", headers={"host": "attacker.example:8000"})
        assert r.status_code == 400 and "Host" in r.json()["detail"]


def test_safe_url() -> None:
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    for bad in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example",
                "http:///x", "https://a.example/\nx", None, ""):
        assert safe_url(bad) is None, bad


# -- docs and OpenAPI work offline ------------------------------------------------------------------
def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for p in ("/api/stats", "/api/articles", "/api/dyad/{a}/{b}", "/api/actor/{actor_id}", "/api/article/{article_id}",
              "/api/analyze"):
        assert p in spec["paths"], p
    assert "post" in spec["paths"]["/api/analyze"]
    html = client.get("/docs").text
    srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(s.startswith("/") for s in srcs), srcs  # nothing from a CDN
    for s in srcs:
        if s.startswith("/static/"):
            assert client.get(s).status_code == 200, s
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


# -- the strings file ---------------------------------------------------------------------------------
def test_every_interface_string_exists() -> None:
    strings = load_strings()
    used: set[str] = set()
    for f in list((WEB / "templates").glob("*.html")) + [WEB / "app.py"]:
        text = f.read_text("utf-8")
        used.update(re.findall(r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_]+)["']""", text))
        used.update(re.findall(r"""strings\(\s*["']([a-z0-9_]+\.[a-z0-9_]+)["']""", text))
        used.update(re.findall(r'"(error\.(?!html\b)[a-z_]+)"', text))  # error page headings chosen in app.py
    missing = sorted(k for k in used if k not in strings)
    assert not missing, missing
    from marsad.model import MODES
    from marsad.queries import QUAD_NAMES

    dynamic = [f"mode.{m}" for m in MODES] + [f"quad.{q}" for q in QUAD_NAMES.values()] + \
              [f"kind.{k}" for k in ("direct", "indirect")] + [f"period.{p}" for p in ("all", "1y", "90d", "30d")]
    assert [k for k in dynamic if k not in strings] == []
    unused = sorted(k for k in strings.table if k not in used and k not in dynamic)
    assert not unused, unused


# -- the pieces: highlighting and chart series ---------------------------------------------------------
def test_highlight_segments() -> None:
    text = "قال بوتين إن العلاقات جيدة."
    an = {
        "actors": [{"name": "Vladimir Putin", "mentions": [{"text": "بوتين", "start": 4, "end": 9}]}],
        "quotes": [{"text": "العلاقات جيدة", "start": 13, "end": 26, "kind": "indirect", "speaker": None}],
        "events": [{"type": "SUPPORT", "mode": "asserted", "trigger": {"text": "جيدة", "start": 22, "end": 26}},
                   {"type": "X", "mode": "asserted", "trigger": {"text": "wrong", "start": 0, "end": 3}}],
        "times": [{"text": "too far", "start": 20, "end": 99}],
    }
    hl = highlight(text, an)
    assert "".join(s.text for s in hl.segments) == text
    assert hl.dropped == 2  # a trigger whose text does not match, a span past the end
    by_text = {s.text: s for s in hl.segments}
    assert by_text["بوتين"].link.kind == "actor"
    assert by_text["العلاقات "].link.kind == "quote"
    assert by_text["جيدة"].link.kind == "trigger" and by_text["جيدة"].quote.index == 0
    assert "quote" in by_text["العلاقات "].first and "quote" not in by_text["جيدة"].first


def test_period_axis_fills_gaps() -> None:
    assert period_axis(["2023-11", "2024-02"], "month") == ["2023-11", "2023-12", "2024-01", "2024-02"]
    assert period_axis(["2020-W52", "2021-W02"], "week") == ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]
    assert period_axis(["2024-02-28", "2024-03-01"], "day") == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert period_axis([], "month") == []
    s = mirrored_series([
        {"period": "2024-01", "direction": "A>B", "events": 2, "quad": {"verbal_conflict": 2},
         "modes": {"claimed": 2}, "goldstein_mean": -2.0},
        {"period": "2024-03", "direction": "B>A", "events": 1, "quad": {"material_cooperation": 1},
         "modes": {"asserted": 1}, "goldstein_mean": 7.4},
    ], "month", "A>B", "B>A")
    assert s["labels"] == ["2024-01", "2024-02", "2024-03"]
    assert s["quad"]["A>B"]["verbal_conflict"] == [2, 0, 0]
    assert s["quad"]["B>A"]["material_cooperation"] == [0, 0, -1]
    assert s["modes"]["A>B"]["claimed"] == [2, 0, 0]
    assert s["goldstein"]["B>A"] == [None, None, 7.4] and s["total"] == 3


# -- the result cache -----------------------------------------------------------------------------------
def test_cache_sees_writes_by_other_processes(built, tmp_path: Path) -> None:
    from marsad.model import Article
    from marsad.pipeline import analyze
    from marsad.store import StoredArticle

    path = tmp_path / "c.db"
    shutil.copy(built["path"], path)
    with TestClient(create_app(path)) as c:  # read-only server
        before = c.get("/api/stats?period=all").json()["stats"]["articles"]["total"]
        assert c.get("/api/stats?period=all").json()["stats"]["articles"]["total"] == before  # from the cache
        assert c.app.state.web.cache.hits >= 1
        listing = c.get("/api/articles?limit=1").json()["items"][0]["id"]
        with open_store(path) as writer:  # another writer (as `marsad ingest` would be)
            writer.write_articles([StoredArticle.from_analysis(analyze(Article(OWN_TEXT, published="2030-01-01")))])
        assert c.get("/api/stats?period=all").json()["stats"]["articles"]["total"] == before + 1
        assert c.get("/api/articles?limit=1").json()["items"][0]["id"] != listing
        with open_store(path) as writer:  # stored but not analysed (not Arabic): the page says so
            writer.write_articles([StoredArticle(id="en1", text="An English article about trade.", language="en",
                                                 status="not_analysed", title="<b>Trade</b>")])
        page = c.get("/article/en1")
        assert page.status_code == 200 and load_strings()("article.not_analysed") in page.text
        assert "&lt;b&gt;Trade&lt;/b&gt;" in page.text and c.get("/api/article/en1").json()["analysis"] is None


def test_cache_computes_once_under_concurrency(built) -> None:
    import threading
    import time

    from marsad.web.cache import ResultCache, StoreVersion

    with open_store(built["path"], readonly=True) as s:
        cache = ResultCache(StoreVersion(s, ttl=30))
        calls: list[int] = []

        def slow() -> bytes:
            calls.append(1)
            time.sleep(0.2)
            return b"result"

        got: list[bytes] = []
        threads = [threading.Thread(target=lambda: got.append(cache.get("k", slow))) for _ in range(8)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert got == [b"result"] * 8 and len(calls) == 1
        small = ResultCache(StoreVersion(s, ttl=30), max_entries=2)
        for k in "abc":
            small.get(k, lambda k=k: k.encode())
        assert small.get("a", lambda: b"again") == b"again"  # the oldest entry was dropped


def test_readonly_store_serves_many_threads(built) -> None:
    """The server answers from a thread pool (40 threads): a read-only store must not hand one
    connection to several threads, nor close one in use, nor run out of connections."""
    import threading

    from marsad.web.app import dyad_page

    app = create_app(built["path"], cache_seconds=0)
    state = app.state.web
    errors: list[str] = []

    def work() -> None:
        try:
            for _ in range(5):  # as the routes do: through the (here disabled) cache and its query slots
                page = state.cached("k", lambda: dyad_page(state, "RUS", "PRK", "month", None, None, None, 5))
                assert page["timeline"]["periods"]
        except Exception as exc:  # any failure in a thread is a failure of the test
            errors.append(repr(exc))

    threads = [threading.Thread(target=work) for _ in range(24)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    state.store.close()
    assert errors == []


# -- marsad serve -------------------------------------------------------------------------------------
def test_serve_command_errors(built, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from marsad.cli import main

    run = CliRunner().invoke
    r = run(main, ["serve", "--db", str(tmp_path / "none.db")])
    assert r.exit_code == 5 and "no store" in r.output and "Traceback" not in r.output
    r = run(main, ["serve", "--db", str(built["path"]), "--token", "short"])
    assert r.exit_code == 2 and "too short" in r.output
    r = run(main, ["serve", "--db", str(built["path"]), "--lang", "xx"])
    assert r.exit_code == 2 and "xx" in r.output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = run(main, ["serve", "--db", str(built["path"]), "--port", str(port)])
    assert r.exit_code == 2 and "in use" in r.output


def test_serve_with_two_workers(built) -> None:
    """The real command with two worker processes: serves the API, refuses a foreign Host."""
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "marsad", "serve", "--db", str(built["path"]), "--port", str(port),
                             "--workers", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/dyad/RUS/PRK", timeout=5) as r:
                    body = json.loads(r.read())
                    assert r.headers["Content-Security-Policy"] == CSP
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.3)
        assert body["a"]["code"] == "RUS" and body["timeline"]["periods"]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/stats", headers={"Host": "evil.example"})
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req, timeout=5)
        assert exc.value.code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _first_diff(a: Any, b: Any, at: str = "", ignore: frozenset[str] = frozenset({"ingested_at"})) -> str | None:
    """Where two JSON values first differ (a readable failure instead of two long dicts)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted((set(a) | set(b)) - ignore):
            d = _first_diff(a.get(k), b.get(k), f"{at}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{at}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            d = _first_diff(x, y, f"{at}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{at}: {a!r} != {b!r}"


@pytest.mark.postgres
def test_same_pages_on_postgresql(postgres_server: Any, client: TestClient) -> None:  # noqa: F811
    """The same examples in PostgreSQL give the same JSON as in SQLite (the queries are shared)."""
    url = postgres_server.create_database()
    build_store(url)
    with TestClient(create_app(url)) as pg:
        for path in ("/api/dyad/RUS/PRK", "/api/dyad/PRK/USA?by=week&mode=claimed", "/api/article/seed-lavrov-pyongyang",
                     "/api/actor/vladimir-putin", "/api/articles?q=لافروف"):
            a, b = pg.get(path), client.get(path)
            assert a.status_code == b.status_code == 200, path
            if path.startswith("/api/articles"):  # scores differ by engine (bm25 / ts_rank): same hits
                assert {i["id"] for i in a.json()["items"]} == {i["id"] for i in b.json()["items"]}
            else:
                assert _first_diff(a.json(), b.json()) is None, path
        assert pg.get("/api/stats?period=all").json()["stats"]["articles"] == \
            client.get("/api/stats?period=all").json()["stats"]["articles"]
        assert "hl-quote" in pg.get("/article/seed-lavrov-pyongyang").text
