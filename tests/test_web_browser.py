"""The web interface in real headless Chromium (Debian's chromium, driven by Playwright) against a
real uvicorn server on 127.0.0.1: charts draw data points, a click leads from a dyad to an
article with its quotes highlighted, the API docs work offline, and hostile article text never
executes.  Screenshots go to test-output/browser/.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, need
from web_store import XSS_ID, XSS_SCRIPT, XSS_TEXT, build_store

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = ROOT / "test-output" / "browser"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    need(CHROMIUM.exists(), "Debian's chromium is not installed (apt-get install chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        need(False, "playwright for Python is not installed (pip install playwright)")
    import uvicorn

    from marsad.web.app import create_app

    path = tmp_path_factory.mktemp("browser") / "examples.db"
    build_store(path)
    port = _free_port()
    app = create_app(path, allowed_hosts=("127.0.0.1", "localhost"))
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not th.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


class Watch:
    """What a page did that it should not: dialogs, errors, CSP violations, requests elsewhere."""

    def __init__(self, page: Any, base: str) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []
        self.outside: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("console", self._console)
        page.route("**/*", lambda route: self._route(route, base))

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    def _console(self, m: Any) -> None:
        if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text:
            self.csp.append(m.text)
        elif m.type == "error" and "Failed to load resource" not in m.text:
            self.errors.append(m.text)

    def _route(self, route: Any, base: str) -> None:
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "about:")):
            route.continue_()
        else:  # the machines are offline: nothing may come from elsewhere
            self.outside.append(url)
            route.abort()


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[tuple[Any, Watch]]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    watch = Watch(pg, server)
    yield pg, watch
    ctx.close()


def _shot(pg: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


CHART_STATS = """(id) => {
  const canvas = document.getElementById(id);
  const chart = window.Chart.getChart(canvas);
  let bars = 0, points = 0, sum = 0;
  chart.data.datasets.forEach((ds, i) => {
    const meta = chart.getDatasetMeta(i);
    if (ds.type === 'bar') {
      ds.data.forEach((v, k) => { if (v) { sum += Math.abs(v); if (meta.data[k] && Math.abs(meta.data[k].height) > 0) bars++; } });
    } else { points += meta.data.filter(p => !p.skip).length; }
  });
  const ctx = canvas.getContext('2d');
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0, colours = new Set();
  for (let i = 0; i < img.length; i += 4) {
    if (img[i + 3] > 0) { painted++; if (painted % 7 === 0) colours.add(img[i] + ',' + img[i+1] + ',' + img[i+2]); }
  }
  return {bars, points, sum, painted, colours: colours.size, width: canvas.width, height: canvas.height};
}"""


def test_dyad_chart_then_article_with_highlighted_quote(page: tuple[Any, Watch], server: str) -> None:
    pg, watch = page
    pg.goto(f"{server}/dyad/RUS/PRK")
    pg.wait_for_function("window.marsadCharts && window.marsadCharts.length === 2")
    api = pg.request.get(f"{server}/api/dyad/RUS/PRK").json()
    n_events = sum(p["events"] for p in api["timeline"]["periods"])
    for cid in ("chart-quad", "chart-mode"):
        st = pg.evaluate(CHART_STATS, cid)
        assert st["sum"] == n_events > 0, st  # every event of the timeline is in the bars
        assert st["bars"] >= 3, st  # drawn bar elements with a height
        assert st["painted"] > 0.02 * st["width"] * st["height"] and st["colours"] > 4, st  # the canvas is not blank
    assert pg.evaluate(CHART_STATS, "chart-quad")["points"] >= 2  # the mean Goldstein lines
    _shot(pg, "dyad-RUS-PRK")

    # click through from the first event to its article
    link = pg.locator("table.events a[href^='/article/']").first
    href = link.get_attribute("href")
    link.click()
    pg.wait_for_url("**/article/**")
    aid = href.split("/article/")[1].split("#")[0]
    assert pg.url.startswith(f"{server}/article/{aid}")
    anchor = href.split("#")[1]
    assert pg.locator(f"tr#{anchor}").is_visible()  # the event's row is the link's target
    article = pg.request.get(f"{server}/api/article/{aid}").json()
    quotes = article["analysis"]["quotes"]
    assert quotes, f"article {aid} has no quotes"
    for i, q in enumerate(quotes):
        got = pg.eval_on_selector_all(f".article-text [data-quote='{i}']", "els => els.map(e => e.textContent).join('')")
        assert got == q["text"], i
    # the highlight is visible (coloured) and clicking it selects its row in the quotes table
    first = pg.locator(".article-text [data-quote='0']").first
    bg = first.evaluate("e => getComputedStyle(e.closest('.hl-quote') || e).backgroundColor")
    assert bg not in ("rgba(0, 0, 0, 0)", "transparent"), bg
    pg.locator(".article-text a.hl-quote[data-quote]").first.click()
    assert "#quote-" in pg.url
    assert pg.locator("tr:target").count() == 1
    _shot(pg, f"article-{aid}")
    assert watch.csp == [] and watch.errors == [] and watch.outside == [] and watch.dialogs == []


def test_home_actor_and_search_pages(page: tuple[Any, Watch], server: str) -> None:
    pg, watch = page
    pg.goto(f"{server}/?period=all")
    assert pg.locator("table.dyads a.dyad").count() > 0
    _shot(pg, "home")
    pg.locator("table.actors a[href^='/actor/']").first.click()
    pg.wait_for_url("**/actor/**")
    pg.wait_for_function("window.marsadCharts && window.marsadCharts.length === 1")
    st = pg.evaluate(CHART_STATS, "chart-actor")
    assert st["sum"] > 0 and st["bars"] > 0, st
    _shot(pg, "actor")
    pg.fill("header form.search input[name=q]", "كوريا الشمالية")
    pg.press("header form.search input[name=q]", "Enter")
    pg.wait_for_url("**/articles?q=*")
    assert pg.locator("ol.results li").count() > 0 and pg.locator(".snippet mark").count() > 0
    _shot(pg, "search")
    assert watch.csp == [] and watch.errors == [] and watch.outside == []


def test_api_docs_work_offline(page: tuple[Any, Watch], server: str) -> None:
    pg, watch = page
    pg.goto(f"{server}/docs")
    pg.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert pg.locator(".swagger-ui .opblock").count() >= 6
    assert "/api/dyad/{a}/{b}" in pg.inner_text(".swagger-ui")
    _shot(pg, "docs")
    assert watch.outside == [] and watch.errors == [] and watch.csp == []


def test_detector_catches_executing_payloads(browser: Any) -> None:
    """The control: where nothing escapes and nothing forbids scripts, the payloads do run and the
    test sees them, so the silence in the next test means something."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    seen: list[str] = []
    pg.on("dialog", lambda d: (seen.append(d.message), d.dismiss()))
    pg.set_content(f"<p>{XSS_SCRIPT}</p>")
    assert pg.evaluate("window.__xss") == 1 and seen == ["1"]
    ctx.close()


def test_payloads_never_execute(page: tuple[Any, Watch], server: str) -> None:
    pg, watch = page
    for url in (f"/article/{XSS_ID}", "/articles?q=موسكو", "/articles", "/dyad/RUS/PRK", "/actor/RUS", "/?period=all"):
        pg.goto(server + url)
        pg.wait_for_load_state("networkidle")
        # hover and click everything the payloads could have hidden behind
        for sel in (".article-text a", "h1", "ol.results a.title"):
            if pg.locator(sel).count():
                pg.locator(sel).first.hover()
        assert pg.evaluate("window.__xss") is None, url
    pg.goto(f"{server}/article/{XSS_ID}")
    shown = pg.inner_text(".article-text")
    assert "<script>window.__xss=1;alert(1)</script>" in shown  # shown as text, not run
    assert "<script>" in pg.inner_text("h1")
    hrefs = pg.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    for a in pg.locator(".article-text a").all()[:40]:  # click through the highlights of the payload text
        a.click()
    _shot(pg, "payload-article")
    # the Analyse page: paste the payload, see it analysed and escaped
    pg.goto(f"{server}/analyze")
    pg.fill("textarea[name=text]", XSS_TEXT)
    pg.fill("input[name=title]", XSS_SCRIPT)
    pg.click("form.analyze button[type=submit]")
    pg.wait_for_selector(".article-text")
    assert "<script>" in pg.inner_text(".article-text")
    _shot(pg, "payload-analyze")
    assert pg.evaluate("window.__xss") is None
    assert watch.dialogs == [] and watch.errors == [] and watch.outside == []
    assert watch.csp == []  # escaping alone stopped everything: the CSP never had to
