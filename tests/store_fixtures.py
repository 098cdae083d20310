"""Fixtures for the store, query and export tests: a fresh store on SQLite and on PostgreSQL,
and a small corpus of analyses built from the model's dataclasses (exact counts known).

The texts are written for these tests (no third-party news text).  Use in a module with
``from store_fixtures import *  # noqa: F403``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pg import PostgresServer, postgres_server

from marsad.model import Actor, ActorRef, Analysis, Event, Quote, Span, TimeExpr
from marsad.store import Store, StoredArticle, open_store

__all__ = ["BACKENDS", "Builder", "corpus", "open_any", "postgres_server", "store", "store_factory"]

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """A function that opens a new, empty store on the parametrised backend."""
    opened: list[Store] = []
    server: PostgresServer | None = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server")

    def make() -> Store:
        if server is None:
            s = open_store(tmp_path / f"s{len(opened)}.db")
        else:
            s = open_store(server.create_database())
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def store(store_factory: Callable[[], Store]) -> Store:
    return store_factory()


def open_any(location: str) -> Store:
    return open_store(location)


# -- building analyses ----------------------------------------------------------------------
@dataclass
class Builder:
    """Builds an Analysis: add sentences, then point at substrings for spans."""

    id: str
    published: str | None = "2023-10-19"
    source: str | None = "tass"
    title: str | None = None
    url: str | None = None
    parts: list[str] = field(default_factory=list)
    actors: dict[str, Actor] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def say(self, sentence: str, paragraph: bool = False) -> Builder:
        if self.parts:
            self.parts.append("\n" if paragraph else " ")
        self.parts.append(sentence)
        return self

    def span(self, s: str, nth: int = 0) -> Span:
        t, i = self.text, -1
        for _ in range(nth + 1):
            i = t.index(s, i + 1)
        return Span(s, i, i + len(s))

    def sentence_of(self, sp: Span) -> tuple[int, int]:
        t = self.text
        lo = max(t.rfind(".", 0, sp.start), t.rfind("\n", 0, sp.start)) + 1
        while lo < len(t) and t[lo] == " ":
            lo += 1
        hi = t.find(".", sp.end)
        return lo, (hi + 1 if hi >= 0 else len(t))

    def actor(self, name: str, type_: str, country: str | None, surfaces: list[str | tuple[str, int]], kb_id: str | None = None,
              role: str | None = None, wikidata: str | None = None) -> Actor:
        mentions = tuple(self.span(s) if isinstance(s, str) else self.span(*s) for s in surfaces)
        a = Actor(name, type_, country, role, kb_id, wikidata, mentions)
        self.actors[name] = a
        return a

    def ref(self, name: str, surface: str | None = None, nth: int = 0) -> ActorRef:
        a = self.actors[name]
        return a.ref(self.span(surface, nth) if surface else None)

    def quote(self, words: str, speaker: str, surface: str | None, kind: str = "indirect", cue: str | None = None,
              via: str | None = None) -> int:
        sp = self.span(words)
        self.quotes.append(Quote(words, sp.start, sp.end, kind, cue, self.ref(speaker, surface),
                                 self.ref(via) if via else None))
        return len(self.quotes) - 1

    def event(self, type_: str, cameo: str, source: str | None, target: str | None, trigger: str,
              mode: str = "asserted", date: str | None = None, goldstein: float | None = None,
              quad: int | None = None, source_surface: str | None = None, target_surface: str | None = None,
              quote_index: int | None = None) -> None:
        from marsad import cameo as C

        tr = self.span(trigger)
        g = goldstein if goldstein is not None else C.goldstein(cameo)
        qc = quad if quad is not None else C.quad_class(cameo)
        self.events.append(Event(
            type_, cameo, g, qc, mode, date,
            self.ref(source, source_surface) if source else None,
            self.ref(target, target_surface) if target else None,
            tr, self.sentence_of(tr), quote_index))

    def time(self, text: str, value: str | None) -> None:
        sp = self.span(text)
        self.times.append(TimeExpr(text, sp.start, sp.end, value))

    def analysis(self) -> Analysis:
        return Analysis(self.id, self.text, self.title, self.published, "ar", self.url, self.source,
                        tuple(self.actors.values()), tuple(self.quotes), tuple(self.events), tuple(self.times))

    def stored(self, **kw: object) -> StoredArticle:
        return StoredArticle.from_analysis(self.analysis(), **kw)


LAVROV = ("Sergey Lavrov", "PER", "RUS")


def seed_story(aid: str, source: str, published: str = "2023-10-19", extra: str | None = None,
               url: str | None = None) -> Builder:
    """The Lavrov-in-Pyongyang story (our own wording); ``extra`` varies the copy."""
    b = Builder(aid, published=published, source=source, url=url, title="لافروف في بيونغيانغ")
    b.say("التقى وزير الخارجية الروسي سيرغي لافروف نظيره الكوري الشمالي في بيونغيانغ مساء الأربعاء.")
    b.say("وقال لافروف إن العلاقات بين موسكو وبيونغيانغ بلغت مستوى جديدا.", paragraph=True)
    b.say("واتهمت واشنطن كوريا الشمالية بتسليم ذخائر إلى روسيا، وهو ما نفته موسكو.")
    if extra:
        b.say(extra)
    b.actor(*LAVROV, ["سيرغي لافروف", "لافروف"], kb_id="Q131572", role="GOV", wikidata="Q131572")
    b.actor("North Korea", "GPE", "PRK", ["الكوري الشمالي", "بيونغيانغ", ("بيونغيانغ", 1), "كوريا الشمالية"],
            kb_id="PRK")
    b.actor("Russia", "GPE", "RUS", ["موسكو", "روسيا"], kb_id="RUS")
    b.actor("United States", "GPE", "USA", ["واشنطن"], kb_id="USA")
    qi = b.quote("العلاقات بين موسكو وبيونغيانغ بلغت مستوى جديدا", "Sergey Lavrov", "لافروف", cue="قال")
    b.event("CONSULT", "042", "Sergey Lavrov", "North Korea", "التقى", date="2023-10-18",
            source_surface="سيرغي لافروف", target_surface="الكوري الشمالي")
    b.event("SUPPORT", "051", "Sergey Lavrov", "North Korea", "بلغت مستوى جديدا", date="2023-10-18",
            quote_index=qi)
    b.event("ACCUSE", "112", "United States", "North Korea", "اتهمت", date="2023-10-19",
            source_surface="واشنطن", target_surface="كوريا الشمالية")
    b.event("AID", "070", "North Korea", "Russia", "بتسليم", mode="claimed", date="2023-10")
    b.event("AID", "070", "North Korea", "Russia", "نفته", mode="denied", date="2023-10")
    b.time("مساء الأربعاء", "2023-10-18")
    return b


def corpus() -> dict[str, Builder]:
    """Five analysed articles: a story and its copy (one cluster), two later stories, and a
    story with a month-precision event.  Exact counts are asserted in the tests."""
    out: dict[str, Builder] = {}
    out["a1"] = seed_story("a1", "tass", url="https://example.org/tass/1")
    out["a2"] = seed_story("a2", "ria", extra="وتأتي الزيارة بعد شهر من قمة بين البلدين.",
                           url="https://example.org/ria/2")
    b = Builder("a3", published="2023-11-05", source="aljazeera", title="زيارة ثانية")
    b.say("استقبل الرئيس الكوري الشمالي وفدا روسيا في العاصمة.")
    b.say("وهددت واشنطن بفرض عقوبات جديدة على المصارف الروسية.")
    b.actor("North Korea", "GPE", "PRK", ["الكوري الشمالي"], kb_id="PRK")
    b.actor("Russia", "GPE", "RUS", ["روسيا"], kb_id="RUS")
    b.actor("United States", "GPE", "USA", ["واشنطن"], kb_id="USA")
    b.event("CONSULT", "043", "North Korea", "Russia", "استقبل", date="2023-11-04")
    b.event("THREATEN", "138", "United States", "Russia", "وهددت", mode="future", date="2023-11-05")
    out["a3"] = b
    b = Builder("a4", published="2023-11-20", source="tass", title="دعم")
    b.say("أعلن المتحدث باسم الكرملين ديمتري بيسكوف دعم بلاده لمواقف كوريا الشمالية هذا الشهر.")
    b.say("وقال بيسكوف إن «التعاون العسكري مع بيونغيانغ لا يخالف أي قانون».")
    b.actor("Dmitry Peskov", "PER", "RUS", ["ديمتري بيسكوف", "بيسكوف"], kb_id="Q4145898", role="GOV")
    b.actor("North Korea", "GPE", "PRK", ["كوريا الشمالية", "بيونغيانغ"], kb_id="PRK")
    b.actor("الكرملين", "ORG", "RUS", ["الكرملين"])  # an unknown actor: stored under a hash id
    b.quote("التعاون العسكري مع بيونغيانغ لا يخالف أي قانون", "Dmitry Peskov", "بيسكوف", kind="direct", cue="قال")
    b.event("SUPPORT", "051", "Dmitry Peskov", "North Korea", "دعم", date="2023-11")
    out["a4"] = b
    b = Builder("a5", published="2023-12-01", source="aawsat", title="ضربات")
    b.say("قصفت القوات الروسية مواقع في أوكرانيا.")
    b.say("وأدانت كييف القصف الروسي.")
    b.actor("Russia", "GPE", "RUS", ["الروسية"], kb_id="RUS")
    b.actor("Ukraine", "GPE", "UKR", ["أوكرانيا", "كييف"], kb_id="UKR")
    b.event("ASSAULT", "195", "Russia", "Ukraine", "قصفت", date="2023-12-01")
    b.event("ACCUSE", "111", "Ukraine", "Russia", "وأدانت", date="2023-12-01")
    out["a5"] = b
    return out


def load_corpus(store: Store, cluster: bool = True) -> dict[str, Builder]:
    """Write the corpus (plus a non-Arabic and a failed article); cluster a1 with a2."""
    c = corpus()
    items = [b.stored() for b in c.values()]
    items.append(StoredArticle(id="en1", text="An English article about trade.", source="reuters",
                               published="2023-10-20", language="en", status="not_analysed"))
    items.append(StoredArticle(id="bad1", text="", source="scraper", status="error", error="empty text"))
    assert store.write_articles(items) == len(items)
    if cluster:
        store.assign_clusters({"a1": "c-a1", "a2": "c-a1"})
    return c
