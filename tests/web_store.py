"""A real store for the web tests: the example articles through the real pipeline, clustered by
the real dedup, plus one hostile article whose title, text, outlet and URL carry XSS payloads.

The payload article is our own text (no third-party content).  Its payloads set
``window.__xss`` and call ``alert``: the browser test proves neither ever happens.
"""

from __future__ import annotations

import json
from pathlib import Path

from marsad.model import Article
from marsad.pipeline import analyze
from marsad.resources import load_resources
from marsad.store import StoredArticle, open_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

XSS_ID = "xss-payload"
XSS_SCRIPT = "<script>window.__xss=1;alert(1)</script>"
XSS_IMG = "<img src=x onerror=window.__xss=1;alert(1)>"
XSS_TITLE = f"قمة {XSS_SCRIPT} في موسكو {XSS_IMG}"
XSS_TEXT = (
    f"التقى وزير الخارجية الروسي سيرغي لافروف نظيره الكوري الشمالي في موسكو {XSS_SCRIPT} يوم الأربعاء.\n"
    f"وقال لافروف إن \"العلاقات {XSS_IMG} بين البلدين بلغت مستوى جديدا\".\n"
    "واتهمت واشنطن كوريا الشمالية <a href=\"javascript:window.__xss=1;alert(1)\">بتسليم</a> ذخائر إلى روسيا، "
    "وهو ما نفته موسكو. javascript:alert(1) <svg onload=\"window.__xss=1\"></svg>\n"
    "<iframe src=\"javascript:window.__xss=1\"></iframe> \"><script>window.__xss=1</script>\n"
    "وأكد المتحدث باسم الكرملين أن موسكو ستواصل التعاون مع بيونغيانغ في كل المجالات، "
    "وأن الزيارة المقبلة للوفد الروسي ستبحث ملفات الطاقة والنقل والتجارة بين البلدين."
)
XSS_ARTICLE = {"id": XSS_ID, "title": XSS_TITLE, "text": XSS_TEXT, "published": "2024-02-07", "language": "ar",
               "url": "javascript:window.__xss=1;alert(1)", "source": "<b onmouseover=\"window.__xss=1\">outlet</b>"}


def example_records() -> list[dict]:
    path = EXAMPLES / "articles.jsonl"
    if path.exists():
        return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    out = []
    for p in sorted((EXAMPLES / "articles").glob("*.txt")):
        title, _, body = p.read_text("utf-8").partition("\n")
        out.append({"id": p.stem, "title": title.strip(), "text": body})
    return out


def build_store(path: Path, with_payload: bool = True) -> dict[str, object]:
    """Analyse the examples (and the payload article) and write them to a new SQLite store.

    Returns what was written: ids, and the duplicate clusters assigned by marsad.dedup.
    """
    from marsad import dedup

    res = load_resources()
    records = example_records() + ([XSS_ARTICLE] if with_payload else [])
    items = [StoredArticle.from_analysis(analyze(Article.from_dict(r), res)) for r in records]
    index = dedup.DedupIndex()
    clusters: dict[str, str] = {}
    for it in sorted(items, key=lambda x: ((x.published or ""), x.id)):  # earlier articles found a cluster
        a = index.assign(it.id, dedup.signature(it.text))
        if a.duplicate:
            clusters[it.id] = a.cluster_id
            clusters.setdefault(a.cluster_id, a.cluster_id)
    with open_store(path) as store:
        store.write_articles(items)
        store.assign_clusters(clusters)
    return {"ids": [it.id for it in items], "clusters": clusters}
