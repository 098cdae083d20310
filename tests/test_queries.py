"""Queries on a store built from constructed analyses (exact counts), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from store_fixtures import *  # noqa: F403
from store_fixtures import Builder, load_corpus

from marsad import queries as Qy
from marsad.queries import QueryError
from marsad.store import Store


@pytest.fixture
def loaded(store: Store) -> Store:
    load_corpus(store)
    return store


def _period(tl: dict, period: str, direction: str) -> dict:
    rows = [r for r in tl["periods"] if r["period"] == period and r["direction"] == direction]
    assert len(rows) == 1, (period, direction, tl["periods"])
    return rows[0]


def test_timeline_counts_a_story_once(loaded: Store) -> None:
    tl = Qy.timeline(loaded, "RUS", "PRK", by="month")
    oct_out = _period(tl, "2023-10", "RUS>PRK")
    # CONSULT + SUPPORT by Lavrov, reported by two outlets in one cluster: 2 events, 4 mentions
    assert oct_out["events"] == 2 and oct_out["mentions"] == 4
    assert oct_out["quad"]["verbal_cooperation"] == 2
    assert oct_out["modes"] == {"asserted": 2}
    oct_in = _period(tl, "2023-10", "PRK>RUS")
    assert oct_in["events"] == 2  # AID claimed + AID denied
    assert oct_in["modes"] == {"claimed": 1, "denied": 1}
    assert oct_in["quad"]["material_cooperation"] == 2
    nov_in = _period(tl, "2023-11", "PRK>RUS")
    assert nov_in["events"] == 1  # CONSULT (host)
    nov_out = _period(tl, "2023-11", "RUS>PRK")
    assert nov_out["events"] == 1  # Peskov's SUPPORT, month precision
    g = oct_out["goldstein_sum"]
    assert g == pytest.approx(oct_out["goldstein_mean"] * 2)
    assert tl["totals"]["RUS>PRK"]["events"] == 3


def test_timeline_without_cluster_counts_each_article(store: Store) -> None:
    load_corpus(store, cluster=False)
    tl = Qy.timeline(store, "RUS", "PRK", by="month")
    assert _period(tl, "2023-10", "RUS>PRK")["events"] == 4


def test_timeline_modes_and_bounds(loaded: Store) -> None:
    tl = Qy.timeline(loaded, "PRK", "RUS", by="month", modes="claimed")
    assert [(r["period"], r["direction"], r["events"]) for r in tl["periods"]] == [("2023-10", "PRK>RUS", 1)]
    tl = Qy.timeline(loaded, "RUS", "PRK", by="day", since="2023-11", until="2023-11-30")
    assert {r["period"] for r in tl["periods"]} == {"2023-11-04", "2023-11-20"}
    tl = Qy.timeline(loaded, "RUS", "PRK", by="week", both_directions=False)
    assert {r["direction"] for r in tl["periods"]} == {"RUS>PRK"}
    assert {r["period"] for r in tl["periods"]} == {"2023-W42", "2023-W47"}


def test_timeline_against_everyone(loaded: Store) -> None:
    tl = Qy.timeline(loaded, "USA", by="month")
    assert {(r["period"], r["direction"]) for r in tl["periods"]} == {("2023-10", "USA>*"), ("2023-11", "USA>*")}
    assert sum(r["events"] for r in tl["periods"]) == 2  # ACCUSE (once: cluster) + THREATEN


def test_events_dedup_and_mentions(loaded: Store) -> None:
    res = Qy.events(loaded, source="RUS", target="PRK")
    assert len(res["items"]) == 3 and not res["has_more"]
    consult = [e for e in res["items"] if e["type"] == "CONSULT"][0]
    assert consult["n_mentions"] == 2 and consult["n_articles"] == 2 and consult["n_sources"] == 2
    assert consult["article"]["id"] == "a1"  # the first mention represents the event
    assert consult["sentence"]["text"].startswith("التقى")
    assert consult["trigger"]["text"] == "التقى"
    assert consult["source"]["name"] == "Sergey Lavrov" and consult["source"]["text"] == "سيرغي لافروف"
    res = Qy.events(loaded, source="RUS", target="PRK", mentions=True)
    assert len(res["items"]) == 5
    assert Qy.events(loaded, type="aid")["items"][0]["type"] == "AID"
    assert len(Qy.events(loaded, type="AID", mode="denied")["items"]) == 1
    assert len(Qy.events(loaded, since="2023-12")["items"]) == 2
    assert len(Qy.events(loaded, until="2023-10-18")["items"]) == 2


def test_events_paging(loaded: Store) -> None:
    all_keys = [e["event_key"] for e in Qy.events(loaded, limit=100)["items"]]
    assert len(all_keys) == len(set(all_keys)) == 10
    page1 = Qy.events(loaded, limit=4)
    page2 = Qy.events(loaded, limit=4, offset=4)
    assert page1["has_more"] and page2["has_more"]
    assert [e["event_key"] for e in page1["items"] + page2["items"]] == all_keys[:8]
    days = [e["day"] for e in Qy.events(loaded, limit=100)["items"]]
    assert days == sorted(days, reverse=True)


def test_quotes_by_speaker_forms(loaded: Store) -> None:
    by_name = Qy.quotes(loaded, speaker="Sergey Lavrov")
    assert len(by_name["items"]) == 1 and by_name["items"][0]["n_articles"] == 2
    assert Qy.quotes(loaded, speaker="sergey lavrov")["items"] == by_name["items"]
    assert Qy.quotes(loaded, speaker="Q131572")["items"] == by_name["items"]  # KB id
    assert Qy.quotes(loaded, speaker="لافروف")["items"] == by_name["items"]  # Arabic surface
    assert Qy.quotes(loaded, speaker="سيرغي لافروف")["items"] == by_name["items"]
    rus = Qy.quotes(loaded, speaker="RUS")  # every Russian speaker
    assert {q["speaker"]["name"] for q in rus["items"]} == {"Sergey Lavrov", "Dmitry Peskov"}
    assert len(Qy.quotes(loaded, speaker="RUS", mentions=True)["items"]) == 3
    assert Qy.quotes(loaded, speaker="Dmitry Peskov", kind="direct")["items"][0]["kind"] == "direct"
    with pytest.raises(QueryError, match="no speaker"):
        Qy.quotes(loaded, speaker="Nobody Known")


def test_quotes_about(loaded: Store) -> None:
    # Lavrov's quote names Moscow and Pyongyang; Peskov's names Pyongyang
    about_prk = Qy.quotes(loaded, about="PRK")
    assert {q["speaker"]["name"] for q in about_prk["items"]} == {"Sergey Lavrov", "Dmitry Peskov"}
    about_rus = Qy.quotes(loaded, about="RUS")
    assert {q["speaker"]["name"] for q in about_rus["items"]} == {"Sergey Lavrov"}
    assert Qy.quotes(loaded, about="UKR")["items"] == []
    assert len(Qy.quotes(loaded, about="North Korea", speaker="Dmitry Peskov")["items"]) == 1


def test_top_actors_and_dyads(loaded: Store) -> None:
    top = Qy.top_actors(loaded, limit=3)
    assert top[0]["id"] == "PRK" and top[0]["n_events"] == 7
    assert top[0]["name"] == "North Korea"
    lav = [a for a in Qy.top_actors(loaded, limit=50) if a["id"] == "Q131572"][0]
    assert lav["n_events"] == 2 and lav["n_articles"] == 2 and lav["n_mentions"] == 4
    assert Qy.top_actors(loaded, since="2023-12")[0]["n_events"] == 2
    arts = Qy.top_actors(loaded, by="articles", limit=50)
    prk = [a for a in arts if a["id"] == "PRK"][0]
    assert prk["n_stories"] == 3 and prk["n_articles"] == 4
    dy = Qy.top_dyads(loaded)
    assert (dy[0]["a"], dy[0]["b"], dy[0]["n_events"]) == ("PRK", "RUS", 6)
    assert dy[0]["n_a_to_b"] == 3 and dy[0]["n_b_to_a"] == 3
    directed = Qy.top_dyads(loaded, directed=True)
    assert {(d["a"], d["b"]) for d in directed} >= {("RUS", "PRK"), ("PRK", "RUS"), ("USA", "PRK")}


def test_search_normalised(loaded: Store) -> None:
    hits = Qy.search(loaded, "كوريا الشمالية")
    assert {h["id"] for h in hits["items"]} == {"a1", "a2", "a4"}
    # ة/ه, hamza and diacritics do not matter
    assert {h["id"] for h in Qy.search(loaded, "كوريا الشماليه")["items"]} == {"a1", "a2", "a4"}
    assert {h["id"] for h in Qy.search(loaded, "أوكرانيا")["items"]} == {"a5"}
    assert {h["id"] for h in Qy.search(loaded, "اوكرانيا")["items"]} == {"a5"}
    assert {h["id"] for h in Qy.search(loaded, "أُوكْرَانِيَا")["items"]} == {"a5"}
    # phrase vs words
    assert Qy.search(loaded, '"الشمالية كوريا"')["items"] == []
    assert {h["id"] for h in Qy.search(loaded, "الشمالية كوريا")["items"]} == {"a1", "a2", "a4"}
    # title is indexed too
    assert {h["id"] for h in Qy.search(loaded, "زيارة ثانية")["items"]} == {"a3"}
    h = [x for x in Qy.search(loaded, "بيسكوف")["items"]][0]
    for s, e in h["highlights"]:
        assert h["snippet"][s:e] == "بيسكوف"
    assert Qy.search(loaded, "بيسكوف", limit=1)["has_more"] is False
    assert Qy.search(loaded, "كوريا", limit=2)["has_more"] is True
    # FTS syntax in the query is data, not syntax
    assert Qy.search(loaded, 'NEAR(كوريا) OR * "')["items"] == []  # no FTS5 syntax error
    with pytest.raises(QueryError):
        Qy.search(loaded, "  ...  ")


def test_search_snippet_maps_to_original_text(store: Store) -> None:
    b = Builder("d1", title=None)
    b.say("أعلنت الحكومة العراقيّة أنّ المُفاوضات مع الجانب الكُوريّ الشماليّة ستستأنف.")
    b.actor("Iraq", "GPE", "IRQ", ["العراقيّة"], kb_id="IRQ")
    store.write_articles([b.stored()])
    hit = Qy.search(store, "الكوري")["items"][0]
    (s, e), = hit["highlights"]
    assert hit["snippet"][s:e] == "الكُوريّ"


def test_stats(loaded: Store) -> None:
    st = Qy.stats(loaded)
    assert st["articles"] == {"total": 7, "ok": 5, "not_analysed": 1, "error": 1}
    assert st["events"]["mentions"] == 15 and st["events"]["distinct"] == 10
    assert st["events"]["by_type"]["AID"] == 2
    assert st["events"]["by_mode"]["claimed"] == 1
    assert st["quotes"] == {"mentions": 3, "distinct": 2}
    assert st["clusters"] == {"multi_article": 1, "articles_in_them": 2, "largest": 2}
    assert {s["source"]: s["articles"] for s in st["sources"]}["tass"] == 2
    assert st["published"]["first"] == "2023-10-19"


def test_article_and_cluster(loaded: Store) -> None:
    got = Qy.article(loaded, "a1")
    assert got is not None
    assert [c["id"] for c in got["cluster"]] == ["a2"]
    assert got["article"]["status"] == "ok"
    assert Qy.article(loaded, "nope") is None
    en = Qy.article(loaded, "en1")
    assert en is not None and en["analysis"] is None and en["article"]["status"] == "not_analysed"


def test_actor_page(loaded: Store) -> None:
    page = Qy.actor(loaded, "Q131572")
    assert page is not None
    assert page["actor"]["name"] == "Sergey Lavrov"
    assert {s["text"] for s in page["surfaces"]} == {"سيرغي لافروف", "لافروف"}
    assert page["meetings"] == [{"id": "PRK", "name": "North Korea", "country": "PRK", "n": 1,
                                 "last": "2023-10-18"}]
    assert len(page["events"]) == 2 and len(page["quotes_by"]) == 1
    assert page["n_articles"] == 2
    prk = Qy.actor(loaded, "PRK")
    assert prk is not None and len(prk["quotes_about"]) == 2
    assert Qy.actor(loaded, "nobody") is None
    # unknown actors have a stable hash id
    kreml = [a for a in Qy.top_actors(loaded, by="articles", limit=50) if a["name"] == "الكرملين"][0]
    assert kreml["id"].startswith("_")
    assert Qy.actor(loaded, kreml["id"])["actor"]["country"] == "RUS"


def test_validation(loaded: Store) -> None:
    with pytest.raises(QueryError, match="unknown country code 'XYZ'"):
        Qy.timeline(loaded, "RUS", "XYZ")
    with pytest.raises(QueryError, match="not a country code"):
        Qy.events(loaded, source="Russia")
    with pytest.raises(QueryError, match="mode"):
        Qy.timeline(loaded, "RUS", "PRK", modes="alleged")
    with pytest.raises(QueryError, match="by"):
        Qy.timeline(loaded, "RUS", "PRK", by="year")
    with pytest.raises(QueryError, match="date"):
        Qy.events(loaded, since="last week")
    with pytest.raises(QueryError, match="valid"):
        Qy.events(loaded, since="2023-13")
    with pytest.raises(QueryError, match="type"):
        Qy.events(loaded, type="HUG")
    with pytest.raises(QueryError, match="limit"):
        Qy.events(loaded, limit=0)
    with pytest.raises(QueryError, match="offset"):
        Qy.events(loaded, offset=-1)
    # lower case and IGO codes are accepted
    assert Qy.timeline(loaded, "rus", "prk")["a"] == "RUS"
    assert Qy.timeline(loaded, "IGO:UN", "RUS")["periods"] == []


def test_injection_is_data(loaded: Store) -> None:
    with pytest.raises(QueryError):
        Qy.events(loaded, source="RUS' OR 1=1 --")
    assert Qy.events(loaded, article="a1' OR '1'='1")["items"] == []
    assert Qy.search(loaded, "x'); DROP TABLE articles; --")["items"] == []
    assert Qy.stats(loaded)["articles"]["total"] == 7


def test_search_finds_clitic_forms(store: Store) -> None:
    b = Builder("c1", title=None)
    b.say("وصل الوفد إلى بيونغيانغ ولكوريا الشمالية مواقف معروفة من الأزمة.")
    b.say("وقالت مصادر للحكومة إن الاتفاق قريب.")
    b.actor("North Korea", "GPE", "PRK", ["كوريا الشمالية"], kb_id="PRK")
    other = Builder("c2", title=None)
    other.say("قالت الحكومات الأوروبية إن الكوريتين ستجتمعان.")
    other.actor("North Korea", "GPE", "PRK", ["الكوريتين"], kb_id="PRK")
    store.write_articles([b.stored(), other.stored()])
    assert [h["id"] for h in Qy.search(store, "كوريا الشمالية")["items"]] == ["c1"]
    assert [h["id"] for h in Qy.search(store, '"كوريا الشمالية"')["items"]] == ["c1"]
    hit = Qy.search(store, "الحكومة")["items"]
    assert [h["id"] for h in hit] == ["c1"]  # للحكومة = ل + الحكومة; الحكومات is another word
    (s, e), = hit[0]["highlights"]
    assert hit[0]["snippet"][s:e] == "للحكومة"
    assert Qy.search(store, "كوريا")["items"][0]["id"] == "c1"


def test_key_map_agrees_with_key_with_offsets() -> None:
    """Snippets map key offsets back to the text piecewise; per character gives the same."""
    import random

    from marsad.lang.ar.normalize import key_with_offsets
    from marsad.queries import key_map

    rng = random.Random(5)
    alphabet = [chr(c) for c in range(0x0600, 0x0700)] + list(" abc.\n")
    for _ in range(3000):
        t = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 50)))
        key, idx = key_with_offsets(t)
        key2, to_text = key_map(t)
        assert key2 == key
        assert [to_text(i) for i in range(len(key))] == idx


def test_quotes_about_both_plans_agree(loaded: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quotes about a much-named actor are read newest first; the result is the same."""
    cases = [{"about": "PRK"}, {"about": "RUS"}, {"about": "North Korea"}, {"about": "PRK", "speaker": "RUS"},
             {"about": "PRK", "mentions": True}]
    by_articles = [Qy.quotes(loaded, **kw) for kw in cases]
    monkeypatch.setattr(Qy, "_ABOUT_SCAN_MIN", -1)
    monkeypatch.setattr(Qy, "_ABOUT_SCAN_SHARE", 0.0)
    assert [Qy.quotes(loaded, **kw) for kw in cases] == by_articles
    assert by_articles[0]["items"]


def test_top_dyads_whole_store_equals_a_period_covering_it(loaded: Store) -> None:
    """Whole store (folded in Python) and a covering period (folded in SQL) agree."""
    assert Qy.top_dyads(loaded) == Qy.top_dyads(loaded, since="2000", until="2100")
