"""Events: triggers, frames (VSO/SVO, nominal genitives, passives, بين), modes, dates.

The sentences here were written for these tests (none comes from the dev gold); they run
through the real pipeline with the shipped dictionaries.
"""

from __future__ import annotations

import datetime as dt

import pytest

from marsad import cameo
from marsad.actors import extract_actors
from marsad.events import extract_events, lexicon_size
from marsad.model import MODES, PLOVER_TYPES, Article
from marsad.pipeline import analyze
from marsad.quotes import extract_quotes
from marsad.text import make_doc
from marsad.times import extract_times

PUB = "2024-03-14"  # a Thursday


def events_of(text: str, resources, published: str = PUB):
    a = analyze(Article(text=text, published=published), resources, force_language=True)
    return a, a.events


def triples(evs) -> set[tuple]:
    return {(e.source.country if e.source else None, e.target.country if e.target else None, e.type)
            for e in evs}


def find(evs, src, tgt, typ):
    for e in evs:
        if (e.source.country if e.source else None, e.target.country if e.target else None, e.type) == (src, tgt, typ):
            return e
    raise AssertionError(f"no {src}->{tgt} {typ} in {sorted(map(str, triples(evs)))}")


# ---------------------------------------------------------------- the lexicon


def test_lexicon_compiles_with_known_types_and_codes(ar):
    from marsad.events import _lexicon

    lex = _lexicon(ar)
    assert lexicon_size(ar) > 1500  # verbs are inflected from their data-file affixes
    for e in lex.entries:
        assert e.type in PLOVER_TYPES, e.id
        assert cameo.lookup(e.cameo) is not None, (e.id, e.cameo)
        for _words, typ, code, _w in e.alt:
            assert typ in PLOVER_TYPES and cameo.lookup(code) is not None, e.id


def test_goldstein_and_quad_class_come_from_the_codebook(resources):
    _, evs = events_of("وزار الرئيس الفرنسي الصين أمس.", resources)
    e = find(evs, "FRA", "CHN", "CONSULT")
    entry = cameo.lookup(e.cameo)
    assert (e.goldstein, e.quad_class) == (entry.goldstein, entry.quad_class)


# ---------------------------------------------------------------- frames


def test_vso_verb_with_direct_object_and_date(resources):
    a, evs = events_of("وزار الرئيس الفرنسي الصين يوم الاثنين في أول جولة آسيوية له.", resources)
    e = find(evs, "FRA", "CHN", "CONSULT")
    assert e.cameo == "042"
    assert e.date == "2024-03-11"
    assert a.text[e.trigger.start:e.trigger.end] == e.trigger.text
    assert e.sentence[0] <= e.trigger.start < e.trigger.end <= e.sentence[1]


def test_svo_verb(resources):
    _, evs = events_of("وقالت الوكالة إن اليابان استقبلت رئيس وزراء الهند في طوكيو.", resources)
    assert ("JPN", "IND", "CONSULT") in triples(evs)


def test_verb_inflections_and_clitics(resources):
    # feminine past, plural present with the conjunction, a pronoun suffix
    _, evs = events_of("وهددت كوريا الشمالية اليابان بالرد.", resources)
    assert ("PRK", "JPN", "THREATEN") in triples(evs)
    _, evs = events_of("والأرجنتين التي اتهمتها بريطانيا بخرق الاتفاق ترفض الاتهام.", resources)
    assert ("GBR", "ARG", "ACCUSE") in triples(evs)


def test_nominal_trigger_with_genitive_source_and_prepositional_target(resources):
    _, evs = events_of("وتأتي زيارة وزير الخارجية التركي لمصر بعد سنوات من القطيعة.", resources)
    assert ("TUR", "EGY", "CONSULT") in triples(evs)


def test_visitor_after_li_and_destination_after_ila(resources):
    _, evs = events_of("وبحث الجانبان التحضير لزيارة مرتقبة للرئيس الصيني إلى البرازيل.", resources)
    e = find(evs, "CHN", "BRA", "CONSULT")
    assert e.mode == "future"


def test_undergoer_verb_makes_its_subject_the_target(resources):
    _, evs = events_of("وتخضع فنزويلا منذ سنوات لعقوبات اقتصادية مشددة.", resources)
    assert (None, "VEN", "SANCTION") in triples(evs)


def test_bayna_gives_both_directions(resources):
    _, evs = events_of("وجرت محادثات بين مصر والأردن في العقبة.", resources)
    assert {("EGY", "JOR", "CONSULT"), ("JOR", "EGY", "CONSULT")} <= triples(evs)


def test_coordinated_subjects_and_objects_distribute(resources):
    _, evs = events_of("ورحبت فرنسا وألمانيا بقرار كندا.", resources)
    assert {("FRA", "CAN", "SUPPORT"), ("DEU", "CAN", "SUPPORT")} <= triples(evs)


def test_capital_metonymy_and_person_to_country(resources):
    _, evs = events_of("وانتقدت برلين قرار بوتين، فيما أشاد أردوغان بموقف قطر.", resources)
    t = triples(evs)
    assert ("DEU", "RUS", "ACCUSE") in t
    assert ("TUR", "QAT", "SUPPORT") in t


def test_same_country_visit_is_dropped_but_domestic_assault_is_kept(resources):
    _, evs = events_of("وزار الرئيس الروسي موسكو أمس.", resources)
    assert ("RUS", "RUS", "CONSULT") not in triples(evs)
    _, evs = events_of("وقصف الجيش السوري مدينة إدلب أمس.", resources)
    assert ("SYR", "SYR", "ASSAULT") in triples(evs)


def test_condemning_a_statement_is_reject_and_an_act_is_accuse(resources):
    _, evs = events_of("وأدانت السعودية التصريحات الإيرانية الأخيرة.", resources)
    e = find(evs, "SAU", "IRN", "REJECT")
    assert e.cameo == "111"
    _, evs = events_of("وأدانت السعودية الهجوم الإيراني على ناقلة النفط.", resources)
    assert ("SAU", "IRN", "ACCUSE") in triples(evs)


def test_accusation_complement_is_done_by_the_accused(resources):
    _, evs = events_of("واتهمت أوكرانيا روسيا بقصف محطة للطاقة في خاركيف.", resources)
    acc = find(evs, "UKR", "RUS", "ACCUSE")
    assert acc.mode == "asserted"
    shelling = [e for e in evs if e.type == "ASSAULT"]
    assert shelling and all(e.source and e.source.country == "RUS" and e.mode == "claimed" for e in shelling)


def test_a_denial_answers_the_accusation_before_it(resources):
    text = "واتهمت إسرائيل إيران بتهريب أسلحة. لكن طهران نفت ذلك."
    _, evs = events_of(text, resources)
    assert ("IRN", "ISR", "REJECT") in triples(evs)


def test_requires_keeps_ambiguous_verbs_apart(resources):
    _, evs = events_of("ونشرت صحيفة فرنسية مقالا عن ألمانيا.", resources)
    assert not [e for e in evs if e.type == "MOBILIZE"]
    _, evs = events_of("ودفعت تركيا بتعزيزات عسكرية إلى سوريا.", resources)
    assert ("TUR", "SYR", "MOBILIZE") in triples(evs)


def test_light_verb_and_noun_split_by_the_subject(resources):
    # VSO puts the subject between "أطلق" and "النار"
    _, evs = events_of("وأطلقت القوات الهندية النار على جنود باكستانيين عند الحدود.", resources)
    e = find(evs, "IND", "PAK", "ASSAULT")
    assert e.cameo == "193"


def test_declining_to_comment_is_not_a_rejection(resources):
    _, evs = events_of("ورفض المتحدث باسم الحكومة الألمانية التعليق على موقف فرنسا.", resources)
    assert not [e for e in evs if e.type == "REJECT"]


def test_verbal_attack_is_criticism(resources):
    _, evs = events_of("وشن الرئيس الأمريكي هجوما لاذعا على الصين.", resources)
    assert ("USA", "CHN", "ACCUSE") in triples(evs)
    assert ("USA", "CHN", "ASSAULT") not in triples(evs)


# ---------------------------------------------------------------- modes


@pytest.mark.parametrize("text, triple, mode", [
    ("ولم توقع مصر أي اتفاق مع إثيوبيا.", ("EGY", "ETH", "AGREE"), "negated"),
    ("وستزور رئيسة الوزراء الإيطالية الهند الشهر المقبل.", ("ITA", "IND", "CONSULT"), "future"),
    ("وأعلنت كندا أنها ستفرض عقوبات جديدة على روسيا.", ("CAN", "RUS", "SANCTION"), "future"),
    ("وتحدث الوزير عن إمكانية زيارة الرئيس الفرنسي إلى الجزائر.", ("FRA", "DZA", "CONSULT"), "hypothetical"),
    ("ونفت إيران أن تكون قد زودت روسيا بطائرات مسيرة.", ("IRN", "RUS", "AID"), "denied"),
    ("وزار رئيس الوزراء الياباني أستراليا.", ("JPN", "AUS", "CONSULT"), "asserted"),
])
def test_modes(resources, text, triple, mode):
    _, evs = events_of(text, resources)
    assert find(evs, *triple).mode == mode
    assert mode in MODES


def test_event_in_a_quote_is_claimed_and_points_at_it(resources):
    text = 'وقال وزير الخارجية البريطاني: "إن روسيا هاجمت أوكرانيا مجددا هذا الأسبوع".'
    a, evs = events_of(text, resources)
    e = find(evs, "RUS", "UKR", "ASSAULT")
    assert e.mode == "claimed"
    q = a.quotes[e.quote_index]
    assert q.start <= e.trigger.start < q.end


def test_the_denial_itself_is_asserted(resources):
    text = "واتهمت أوكرانيا الصين بإرسال أسلحة إلى روسيا. ونفت الصين أن تكون قد أرسلت أسلحة إلى روسيا."
    _, evs = events_of(text, resources)
    assert find(evs, "CHN", "UKR", "REJECT").mode == "asserted"
    aid = [e for e in evs if e.type == "AID"]
    assert {e.mode for e in aid} == {"claimed", "denied"}


# ---------------------------------------------------------------- the seed article


def test_seed_article_events(resources, seed_text):
    a = analyze(Article(text=seed_text, published="2023-10-19"), resources)
    t = triples(a.events)
    assert ("RUS", "PRK", "CONSULT") in t
    assert ("USA", "PRK", "ACCUSE") in t
    assert ("RUS", "USA", "REJECT") in t
    aid = [e for e in a.events if (e.source and e.source.country, e.target and e.target.country, e.type)
           == ("PRK", "RUS", "AID") and e.mode == "claimed" and e.quote_index is not None]
    assert aid, "PRK->RUS AID claimed, pointing at the quote that carries it"
    for e in aid:
        q = a.quotes[e.quote_index]
        assert q.start <= e.trigger.start < q.end
    visit = find(a.events, "RUS", "PRK", "CONSULT")
    assert visit.date == "2023-10-18"  # ووصل لافروف مساء الأربعاء
    reject = find(a.events, "RUS", "USA", "REJECT")
    assert reject.cameo == "111" and reject.date == "2023-W42"
    for s in a.spans():
        assert a.text[s.start:s.end] == s.text


# ---------------------------------------------------------------- detection and robustness


def _detect(text: str, resources, **kw):
    doc = make_doc(text, resources.lang)
    actors = extract_actors(doc, None, resources)
    quotes = extract_quotes(doc, actors, resources)
    return extract_events(doc, actors, quotes, extract_times(doc, None), None, resources, **kw)


def test_unknown_actors_only_with_keep_unknown(resources):
    text = "وتظاهر آلاف الأشخاص أمس في وسط المدينة احتجاجا على ارتفاع الأسعار."
    assert not [e for e in _detect(text, resources) if e.type == "PROTEST"]
    found = [e for e in _detect(text, resources, keep_unknown=True) if e.type == "PROTEST"]
    assert found and found[0].mode == "asserted"


# ---------------------------------------------------------------- occurrence model
# Sentences written for these tests: a report of an attack or a protest that took place
# against the same words in the background, as history, a count, a threat, a plan or a
# condemnation.  Detection is the rule benchmarks/gsr.py applies to the pipeline's output.


def _occurrences(text: str, resources, etype: str) -> list:
    from marsad import occurrence

    model = occurrence.load_model(resources.lang)
    a = analyze(Article(text=text, published=PUB), resources, force_language=True, keep_unknown=True)
    return [e for e in a.events if e.type == etype
            and occurrence.is_occurrence(e.type, e.mode, e.confidence, model)]


@pytest.mark.parametrize("text, etype, expected", [
    ("قتل ثلاثة جنود وأصيب خمسة آخرون أمس في هجوم بسيارة مفخخة استهدف دورية للجيش شمال المدينة.", "ASSAULT", True),
    ("وأعلنت الشرطة مقتل أربعة أشخاص وإصابة عشرة بجروح في انفجار عبوة ناسفة صباح اليوم في سوق شعبي.", "ASSAULT",
     True),
    ("وتظاهر آلاف الأشخاص أمس أمام مقر البرلمان احتجاجا على رفع الأسعار.", "PROTEST", True),
    ("وتجمع مئات المتظاهرين صباح اليوم في الساحة الرئيسية مطالبين باستقالة الحكومة.", "PROTEST", True),
    ("وتعود جذور الأزمة إلى اغتيال رئيس الوزراء عام 1995.", "ASSAULT", False),  # history
    ("وكان الرجل الذي قتل في ذلك العام معروفا في الحي.", "ASSAULT", False),  # relative clause, background
    ("وشهد العام الماضي أكثر من مئتي هجوم في أنحاء البلاد.", "ASSAULT", False),  # a count
    ("وهددت الجماعة بشن هجمات جديدة على المدينة.", "ASSAULT", False),  # a threat
    ("وكانت السلطات قد اتهمت الخلية بالتخطيط لتفجير مبنى الوزارة.", "ASSAULT", False),  # a plot
    ("ندين بشدة الاعتداء على المدنيين الأبرياء.", "ASSAULT", False),  # a condemnation
    ("وكانت المظاهرات التي شهدتها البلاد عام 2011 قد أطاحت بالحكومة.", "PROTEST", False),
    ("ويخطط الاتحاد لتنظيم مظاهرة حاشدة الأسبوع المقبل.", "PROTEST", False),  # a plan
])
def test_occurrence_model_tells_reports_from_mentions(resources, text, etype, expected):
    assert bool(_occurrences(text, resources, etype)) is expected


def test_confidence_only_on_modelled_types_and_events_are_kept(resources):
    text = ("وزار وزير الخارجية الفرنسي الصين أمس. "
            "وكانت روسيا قد شنت هجوما على أوكرانيا عام 2022.")
    a, evs = events_of(text, resources)
    visit = find(evs, "FRA", "CHN", "CONSULT")
    assert visit.confidence is None
    attack = find(evs, "RUS", "UKR", "ASSAULT")  # background, kept for the dyad ...
    assert attack.confidence is not None and 0.0 <= attack.confidence < 0.3  # ... and judged background
    assert not _occurrences(text, resources, "ASSAULT")


def test_a_threat_or_plot_is_not_asserted(resources):
    _, evs = events_of("وهدد الجيش الإسرائيلي بقصف مواقع حزب الله في لبنان.", resources)
    assaults = [e for e in evs if e.type == "ASSAULT"]
    assert assaults and all(e.mode == "hypothetical" for e in assaults)


def test_confidence_is_what_the_training_features_give(resources):
    """scripts/train_occurrence.py trains on detection_instances: the pipeline must score the
    very same features."""
    from marsad import occurrence
    from marsad.events import detection_instances

    text = "وقتل خمسة أشخاص أمس في هجوم انتحاري. وتظاهر مئات الطلاب احتجاجا على الحرب."
    doc = make_doc(text, resources.lang)
    times = extract_times(doc, None)
    actors = extract_actors(doc, None, resources)
    quotes = extract_quotes(doc, actors, resources)
    model = occurrence.load_model(resources.lang)
    inst = detection_instances(doc, actors, quotes, times, resources, ["PROTEST", "ASSAULT"])
    assert {t for _si, t, _f in inst} == {"PROTEST", "ASSAULT"}
    evs = extract_events(doc, actors, quotes, times, None, resources, keep_unknown=True)
    for si, etype, feats in inst:
        sent = doc.sentences[si]
        got = {e.confidence for e in evs if e.type == etype and e.sentence == (sent.start, sent.end)}
        assert got == {round(model.probability(feats), 3)}


def test_model_weights_name_features_the_code_produces(resources):
    """A renamed lexicon entry or word list would silently lose its weight: retrain instead."""
    import re

    from marsad import occurrence
    from marsad.events import _lexicon

    model = occurrence.load_model(resources.lang)
    assert model is not None and set(model.thresholds) == {"PROTEST", "ASSAULT"}
    assert all(0.0 < t < 1.0 for t in model.thresholds.values())
    entries = {e.id for e in _lexicon(resources.lang).entries}
    lists = set(model.words.lists)
    fixed = {"def", "suf", "part", "src", "srcn", "tgt", "tgtn", "quote", "early", "bgprep", "relbefore",
             "relafter", "numafter", "countbefore", "pp", "vopen", "crowd_after", "crowd_before", "purpose_after",
             "cas_near", "occ", "nocc", "k=verb", "k=verbp", "k=noun", "year", "question", "excl", "time",
             "prot_pp"} | {f"mode={m}" for m in MODES} | {f"n={k}" for k in (1, 2, 3)} | {f"len={k}" for k in range(6)}
    for name in model.weights:
        if name.startswith("bias:"):
            assert name[5:] in model.thresholds
            continue
        base = name.split(":", 1)[1] if re.match(r"^[A-Z]+:", name) else name
        if base.startswith("e="):
            assert base[2:] in entries, name
        elif base.startswith("s:"):
            assert base[2:].rstrip("2") in lists, name
        else:
            assert base in fixed, name


def test_is_occurrence_needs_a_happened_mode_and_the_threshold(resources):
    from marsad import occurrence

    model = occurrence.load_model(resources.lang)
    thr = model.thresholds["ASSAULT"]
    assert occurrence.is_occurrence("ASSAULT", "asserted", thr, model)
    assert occurrence.is_occurrence("ASSAULT", "claimed", 0.99, model)
    assert not occurrence.is_occurrence("ASSAULT", "asserted", thr - 0.001, model)
    assert not occurrence.is_occurrence("ASSAULT", "future", 0.99, model)
    assert not occurrence.is_occurrence("ASSAULT", "asserted", None, model)
    assert occurrence.is_occurrence("CONSULT", "asserted", None, model)  # not modelled: the mode decides


def test_model_file_of_another_feature_version_is_refused(ar):
    from marsad import occurrence

    with pytest.raises(ValueError, match="retrain"):
        occurrence.model_from_dict({"feature_version": occurrence.FEATURE_VERSION + 1, "weights": {}}, ar)


@pytest.mark.parametrize("text, expected", [
    ("وقتل خمسة أشخاص وأصيب عشرة آخرون في هجوم انتحاري استهدف سوقا شعبية أمس.", True),
    ("وتعود جذور الأزمة إلى ما بعد اغتيال رئيس الوزراء في التسعينيات.", False),
    ("وكان الرجل الذي قتل في ذلك العام معروفا في الحي.", False),
])
def test_occurrences_only_keeps_what_detection_keeps(resources, text, expected):
    found = [e for e in _detect(text, resources, keep_unknown=True, occurrences_only=True) if e.type == "ASSAULT"]
    assert bool(found) is expected


def test_confidence_round_trips_through_json_and_the_store(resources, tmp_path):
    from marsad.model import Analysis, Event
    from marsad.store import StoredArticle, open_store

    a = analyze(Article(text="وقتل خمسة جنود أمس في هجوم شنه مسلحون على دورية للجيش الأمريكي في العراق.",
                        published=PUB), resources, force_language=True)
    assaults = [e for e in a.events if e.type == "ASSAULT"]
    assert assaults and all(e.confidence is not None for e in assaults)
    for e in a.events:
        assert Event.from_dict(e.to_dict()) == e
    from marsad import queries

    with open_store(tmp_path / "s.db") as store:
        store.write_articles([StoredArticle.from_analysis(a)])
        got = queries.article(store, a.id)
    assert got is not None and got["analysis"] == a.to_dict()
    assert Analysis.from_dict(got["analysis"]).events == a.events


def test_store_written_before_the_confidence_column_is_upgraded(resources, tmp_path):
    import sqlite3

    from marsad import queries
    from marsad.store import StoredArticle, open_store

    a = analyze(Article(text="وقتل خمسة جنود أمس في هجوم شنه مسلحون على دورية للجيش الأمريكي في العراق.",
                        published=PUB), resources, force_language=True)
    p = tmp_path / "v7.db"
    with open_store(p) as store:
        store.write_articles([StoredArticle.from_analysis(a)])
    con = sqlite3.connect(p)  # what a schema-7 store looks like: no events.confidence
    con.execute("ALTER TABLE events DROP COLUMN confidence")
    con.execute("DELETE FROM schema_version")
    con.execute("INSERT INTO schema_version VALUES (7, '2024-01-01')")
    con.commit()
    con.close()
    with open_store(p) as store:  # opened for writing: upgraded
        got = queries.article(store, a.id)
    assert got is not None
    assert [e["confidence"] for e in got["analysis"]["events"]] == [None] * len(a.events)


# ---------------------------------------------------------------- protest and attack vocabulary


@pytest.mark.parametrize("text, etype, cameo_code", [
    ("وهتف المتظاهرون أمس أمام السفارة بشعارات ضد الحرب.", "PROTEST", "141"),
    ("وأحرق المحتجون الإطارات وقطعوا الطرق المؤدية إلى الميناء.", "PROTEST", "145"),
    ("وشكل مئات الطلاب سلسلة بشرية حول الجامعة.", "PROTEST", "141"),
    ("وتعرض السجناء للضرب المبرح على أيدي الحراس.", "ASSAULT", "182"),
])
def test_protest_and_beating_vocabulary(resources, text, etype, cameo_code):
    assert cameo_code in {e.cameo for e in _detect(text, resources, keep_unknown=True) if e.type == etype}


@pytest.mark.parametrize("text", [
    "وضرب الوزير مثلا بالتجربة الماليزية.",  # ضرب مثلا: gave an example
    "وقطعوا الطريق على أي تسوية سياسية.",  # figurative: no protesters
])
def test_figurative_uses_are_not_events(resources, text):
    assert not [e for e in _detect(text, resources, keep_unknown=True) if e.type in ("PROTEST", "ASSAULT")]


@pytest.mark.parametrize("text", ["", "   ", ".", "؟؟؟", "و و و", "a b c 1 2 3", "زار" * 50])
def test_odd_input_gives_no_error(resources, text):
    evs = _detect(text, resources, keep_unknown=True)
    assert isinstance(evs, list)


def test_events_are_deterministic_and_json_round_trip(resources):
    from marsad.model import Event

    text = "وزار وزير الخارجية الصيني إيران والسعودية. واتهمت واشنطن بكين بدعم موسكو."
    _, a = events_of(text, resources)
    _, b = events_of(text, resources)
    assert [e.to_dict() for e in a] == [e.to_dict() for e in b]
    for e in a:
        assert Event.from_dict(e.to_dict()) == e


def test_published_date_anchors_relative_times(resources):
    _, evs = events_of("واستقبل الرئيس المصري أمس وزير الخارجية الأمريكي في القاهرة.", resources)
    e = find(evs, "EGY", "USA", "CONSULT")
    assert e.date == (dt.date.fromisoformat(PUB) - dt.timedelta(days=1)).isoformat()


def test_present_tense_report_is_dated_on_publication(resources):
    _, evs = events_of("وتستضيف قطر محادثات بين الولايات المتحدة وإيران.", resources)
    e = find(evs, "QAT", "IRN", "CONSULT")
    assert e.cameo == "043" and e.date == PUB
    assert ("QAT", "USA", "CONSULT") in triples(evs)


# ---------------------------------------------------------------- one event per interaction


def test_later_mentions_of_the_same_event_are_one_event(resources):
    text = ("وصل الرئيس الفرنسي إلى بكين أمس في زيارة رسمية إلى الصين تستمر ثلاثة أيام. "
            "ويلتقي الرئيس الفرنسي خلال الزيارة بالرئيس الصيني. "
            "وتعد زيارة الرئيس الفرنسي للصين الأولى منذ أعوام.")
    _, evs = events_of(text, resources)
    visits = [e for e in evs if e.type == "CONSULT" and e.cameo == "042"
              and (e.source.country, e.target.country) == ("FRA", "CHN")]
    assert len(visits) == 1
    assert visits[0].date == "2024-03-13"  # the mention with a date gives it


def test_same_dyad_in_another_mode_stays_apart(resources):
    text = "زار الرئيس الفرنسي الصين أمس. وسيزور الرئيس الفرنسي الصين مرة أخرى الشهر المقبل."
    _, evs = events_of(text, resources)
    modes = sorted(e.mode for e in evs if (e.source.country, e.target.country, e.type) == ("FRA", "CHN", "CONSULT"))
    assert modes == ["asserted", "future"]


# ---------------------------------------------------------------- praise said in so many words


@pytest.mark.parametrize("text,src,tgt", [
    ("وأعرب رئيس الوزراء الأردني عن امتنانه لليابان على دعمها المتواصل.", "JOR", "JPN"),
    ("وعبرت وزيرة الخارجية الكندية عن تقديرها للدور الذي تقوم به قطر.", "CAN", "QAT"),
    ("وهنأ العاهل المغربي الرئيس الفرنسي بمناسبة العيد الوطني.", "MAR", "FRA"),
    ("وأكد الرئيس الكيني أن المحادثات كانت مثمرة، مشيدا بجهود إثيوبيا.", "KEN", "ETH"),
])
def test_praise_with_the_subject_inside_the_phrase(resources, text, src, tgt):
    _, evs = events_of(text, resources)
    e = find(evs, src, tgt, "SUPPORT")
    assert e.cameo == "051"


def test_the_speakers_own_praise_is_asserted_not_claimed(resources):
    # the quotes stage reads "أعرب ... عن تقديره لـ" as reported speech; the praise is the act
    _, evs = events_of("وأعرب رئيس الوزراء الأردني عن تقديره لليابان على مساعداتها.", resources)
    assert find(evs, "JOR", "JPN", "SUPPORT").mode == "asserted"


def test_estimates_are_not_praise(resources):
    _, evs = events_of("وبحسب تقديرات الأمم المتحدة فإن عدد النازحين في السودان تجاوز مليونين.", resources)
    assert not [e for e in evs if e.type == "SUPPORT"]


# ---------------------------------------------------------------- frames seen in unseen news


@pytest.mark.parametrize("text,triple", [
    # a first-person verb in a quote: the speaker acts, the group after the verb is the object
    ('وقال المتحدث باسم الحكومة اليابانية: "نتهم كوريا الشمالية بتهديد أمن المنطقة".', ("JPN", "PRK", "ACCUSE")),
    ('وقال وزير الخارجية الكندي: "ندعم أوكرانيا حتى النهاية".', ("CAN", "UKR", "SUPPORT")),
    # the subject stands inside the phrase
    ("وتبادلت أرمينيا وأذربيجان الأسرى بوساطة أمريكية.", ("ARM", "AZE", "RETREAT")),
    ("وقطعت بوليفيا علاقاتها مع إسرائيل.", ("BOL", "ISR", "SANCTION")),
    ("واستدعت وزارة الخارجية الهولندية السفير الإيراني.", ("NLD", "IRN", "ACCUSE")),
    # a statement verb's object is the verbal noun, not a second verb
    ("وجددت الحكومة الألمانية دعمها لمولدوفا.", ("DEU", "MDA", "SUPPORT")),
    # an actor between a noun and a later one is no genitive of the noun
    ("ووجهت أذربيجان اتهامات لأرمينيا بقصف مدينة كنجة.", ("AZE", "ARM", "ACCUSE")),
    ("وتبادلت إثيوبيا والسودان الاتهامات بشأن الحدود.", ("SDN", "ETH", "ACCUSE")),
    ("وحثت الأمم المتحدة ميانمار على وقف العنف.", ("IGO:UN", "MMR", "REQUEST")),
    ("وقدمت فرنسا مشروع قرار إلى مجلس الأمن الدولي بشأن مالي.", ("FRA", "IGO:UN", "REQUEST")),
    ("وأبدت كوريا الشمالية استعدادها للحوار مع كوريا الجنوبية.", ("PRK", "KOR", "AGREE")),
    # a nationality adjective right after an attack noun names the attacker
    ("وأسفرت الغارات الروسية على إدلب عن مقتل مدنيين.", ("RUS", "SYR", "ASSAULT")),
])
def test_frames_of_common_news_sentences(resources, text, triple):
    _, evs = events_of(text, resources)
    find(evs, *triple)


def test_active_verb_keeps_its_subject_before_an_agent_phrase(resources):
    # "من قبل" names the agent of the condemned act, not of the condemnation
    _, evs = events_of("واستنكرت الأردن إحراق نسخ من المصحف من قبل متطرفين دنماركيين.", resources)
    assert not [e for e in evs if e.type in ("REJECT", "ACCUSE") and e.source and e.source.country == "DNK"]
    find(evs, "JOR", "DNK", "ACCUSE")  # condemning an act accuses its doer


def test_a_protest_with_no_addressee_targets_the_home_state(resources):
    _, evs = events_of("وتظاهر آلاف الكينيين في نيروبي احتجاجا على ارتفاع الأسعار.", resources)
    e = find(evs, "KEN", "KEN", "PROTEST")
    assert e.target.country == "KEN"
    # an addressee named in the text is kept
    _, evs = events_of("وتظاهر مئات الأتراك أمام السفارة السويدية احتجاجا على حرق المصحف.", resources)
    assert ("TUR", "TUR", "PROTEST") not in triples(evs)


def test_a_genitive_before_the_acted_on_is_the_doer(resources):
    _, evs = events_of("وأدى قصف الطائرات التركية على القامشلي إلى مقتل مدنيين.", resources)
    find(evs, "TUR", "SYR", "ASSAULT")
    _, evs = events_of("وتواصل تسليح إيران للحوثيين رغم الحظر الدولي.", resources)
    find(evs, "IRN", "YEM", "AID")


def test_object_pronoun_after_a_relative_points_at_its_antecedent_only(resources):
    text = ("وزار وزير الخارجية البريطاني الأردن أمس. وقال إن المقاتلين الذين دربتهم الولايات المتحدة "
            "دخلوا الأراضي السورية.")
    _, evs = events_of(text, resources)
    assert not [e for e in evs if e.type == "AID" and e.target and e.target.country in ("GBR", "JOR")]
    # with no subject after the verb, the antecedent is its subject
    _, evs = events_of("وزار الرئيس الفرنسي المغرب التي استقبلته بحفاوة.", resources)
    find(evs, "MAR", "FRA", "CONSULT")


def test_here_and_there_are_not_congratulations(resources):
    # هنأ "congratulated" loses its hamza in matching keys and becomes هنا "here"
    _, evs = events_of("وقال الوزير الأردني إن هناك محادثات مع العراق، وهنا أكد أهمية التعاون مع مصر.", resources)
    assert not [e for e in evs if e.type == "SUPPORT"]
    _, evs = events_of("وهنأ ملك البحرين الرئيس الإندونيسي بفوزه في الانتخابات.", resources)
    find(evs, "BHR", "IDN", "SUPPORT")


def test_an_institution_without_a_country_belongs_to_the_article_country(resources):
    text = ("وتشهد بوليفيا أزمة سياسية حادة. وقال رئيس بوليفيا إن بوليفيا لن تتراجع. "
            "وفي بوليفيا، عزل الجيش الرئيس البوليفي بعد أسابيع من الاضطرابات.")
    _, evs = events_of(text, resources)
    find(evs, "BOL", "BOL", "COERCE")


def test_an_institution_needs_an_article_country(resources):
    # with no dominant country, a bare "الحكومة" names nobody
    _, evs = events_of("واتهمت الحكومة روسيا بالتدخل في الانتخابات.", resources)
    assert not [e for e in evs if e.type == "ACCUSE" and e.source and e.source.country]


@pytest.mark.parametrize("text,triple,code", [
    ("وتواصل إيران دعم الميليشيات الحوثية في اليمن.", ("IRN", "YEM", "AID"), "070"),
    ("وحققت القوات الأفغانية تقدما بدعم من الولايات المتحدة وقوات التحالف.", ("USA", "AFG", "AID"), "070"),
    ("ودعمت فرنسا دبلوماسيا موقف المغرب في الأمم المتحدة.", ("FRA", "MAR", "SUPPORT"), "050"),
])
def test_backing_forces_is_aid_backing_positions_is_support(resources, text, triple, code):
    _, evs = events_of(text, resources)
    assert find(evs, *triple).cameo == code


def test_a_verbal_noun_after_its_doer_takes_its_genitive_as_object(resources):
    _, evs = events_of("وتواصل إيران تسليح الميليشيات الحوثية في اليمن.", resources)
    find(evs, "IRN", "YEM", "AID")
    # after a verb of saying the genitive is still the doer: the Chinese president visits
    _, evs = events_of("وأكدت روسيا زيارة الرئيس الصيني إلى موسكو الأسبوع المقبل.", resources)
    find(evs, "CHN", "RUS", "CONSULT")


def test_a_fact_and_a_claim_of_the_same_dated_event_are_one_event(resources):
    text = ("وزار الرئيس الكيني إثيوبيا في مارس الماضي. "
            "وقال مسؤول إثيوبي إن زيارة الرئيس الكيني إلى إثيوبيا في مارس الماضي كانت ناجحة.")
    _, evs = events_of(text, resources)
    visits = [e for e in evs if (e.source.country, e.target.country, e.type) == ("KEN", "ETH", "CONSULT")]
    assert len(visits) == 1 and visits[0].mode == "asserted"


def test_a_violated_truce_is_no_truce(resources):
    _, evs = events_of("واتهمت أرمينيا أذربيجان بخرق الهدنة في قره باغ.", resources)
    assert not [e for e in evs if e.type == "RETREAT"]
    find(evs, "ARM", "AZE", "ACCUSE")


def test_readiness_to_negotiate_is_not_a_negotiation(resources):
    _, evs = events_of("وأبدت كوريا الشمالية استعدادها للتفاوض مع الولايات المتحدة.", resources)
    assert find(evs, "PRK", "USA", "CONSULT").mode == "hypothetical"


def test_a_fact_with_no_time_of_its_own_takes_the_story_day(resources):
    text = ("استقبل رئيس الوزراء الأردني مساء أمس وزير الخارجية الياباني في عمان. "
            "وأشاد الوزير الياباني بدور الأردن في استضافة اللاجئين. "
            "وكانت اليابان قد قدمت قرضا للأردن في عام 2019.")
    _, evs = events_of(text, resources)
    assert find(evs, "JPN", "JOR", "SUPPORT").date == "2024-03-13"  # the lead's مساء أمس
    assert find(evs, "JPN", "JOR", "AID").date == "2019"  # its own time wins


def test_an_unvowelled_kill_verb_before_its_victims_is_passive(resources):
    _, evs = events_of("وقتل ثلاثة جنود نيجيريين أمس في هجوم شمال البلاد.", resources)
    assert ("NGA", "NGA", "ASSAULT") not in triples(evs)  # the soldiers are not the killers
    assert find(evs, None, "NGA", "ASSAULT").mode == "asserted"
    # with its subject first it is active
    _, evs = events_of("وقتلت القوات النيجيرية عشرات المسلحين من جماعة بوكو حرام.", resources)
    assert ("NGA", "NGA", "ASSAULT") in triples(evs)


def test_a_verb_after_a_relative_has_the_antecedent_as_subject(resources):
    _, evs = events_of("وتزايدت الهجمات التي تستهدف القوات النيجيرية في شمال البلاد.", resources)
    assert find(evs, None, "NGA", "ASSAULT")
    assert ("NGA", "NGA", "ASSAULT") not in triples(evs)


def test_indefinite_plural_without_a_country_is_the_article_country(resources):
    text = ("وتشهد كينيا توترا سياسيا. وقالت كينيا إن الانتخابات ستجري في موعدها. "
            "واتهم معارضون الرئيس الكيني بتزوير الانتخابات.")
    _, evs = events_of(text, resources)
    find(evs, "KEN", "KEN", "ACCUSE")


def test_a_definite_noun_with_no_arguments_of_its_own_repeats_a_told_event(resources):
    text = ("استقبل الرئيس الكيني أمس وزير الخارجية الإثيوبي في نيروبي. "
            "وجرى خلال الاستقبال استعراض العلاقات الثنائية.")
    _, evs = events_of(text, resources)
    consult = [e for e in evs if e.type == "CONSULT"]
    assert [(e.source.country, e.target.country) for e in consult] == [("KEN", "ETH")]


def test_arrests_of_unnamed_people_are_made_at_home(resources):
    text = "وتشهد تركيا حملة أمنية. وقالت تركيا إن الحملة مستمرة. واعتقلت الشرطة التركية 300 شخص في إسطنبول."
    _, evs = events_of(text, resources)
    find(evs, "TUR", "TUR", "COERCE")


def test_a_no_fly_zone_is_no_sanction(resources):
    _, evs = events_of("واتفقت تركيا والولايات المتحدة على إقامة منطقة حظر جوي شمال سوريا.", resources)
    assert not [e for e in evs if e.type == "SANCTION"]


def test_a_country_after_visit_is_the_one_visited(resources):
    _, evs = events_of("ويقوم رئيس الوزراء الهندي بزيارة اليابان الأسبوع المقبل.", resources)
    assert find(evs, "IND", "JPN", "CONSULT").mode == "future"
    _, evs = events_of("وجاءت زيارة الرئيس الإندونيسي إلى ماليزيا بعد أشهر من التوتر.", resources)
    find(evs, "IDN", "MYS", "CONSULT")


def test_granting_citizenship_is_no_aid(resources):
    _, evs = events_of("وقررت الحكومة التركية منح الجنسية التركية لآلاف اللاجئين السوريين.", resources)
    assert not [e for e in evs if e.type == "AID"]


def test_recalling_ones_own_envoy_is_a_sanction_summoning_anothers_a_complaint(resources):
    _, evs = events_of("وأعلنت الأردن استدعاء سفيرها في إسرائيل للتشاور.", resources)
    find(evs, "JOR", "ISR", "SANCTION")
    _, evs = events_of("واستدعت وزارة الخارجية المغربية السفير الجزائري في الرباط.", resources)
    find(evs, "MAR", "DZA", "ACCUSE")


def test_an_accusative_plural_after_the_verb_is_its_object(resources):
    _, evs = events_of("وقال وزير الخارجية الألماني إنه سيلتقي مسؤولين إيرانيين في فيينا.", resources)
    assert find(evs, "DEU", "IRN", "CONSULT").mode == "future"
    assert ("IRN", "DEU", "CONSULT") not in triples(evs)


def test_a_person_after_la_makes_the_visit(resources):
    _, evs = events_of("وتأتي زيارة لوزير الخارجية الإيطالي إلى ليبيا بعد أسابيع من التوتر.", resources)
    find(evs, "ITA", "LBY", "CONSULT")


def test_a_question_reports_no_event(resources):
    _, evs = events_of("وتساءل الكاتب: لماذا لم تهاجم إسرائيل إيران حتى الآن؟ وهل ستدعم أمريكا تركيا؟", resources)
    assert not evs
    _, evs = events_of("وسأل الصحفي عن الوضع. وقد هاجمت إسرائيل مواقع في سوريا أمس.", resources)
    find(evs, "ISR", "SYR", "ASSAULT")


def test_the_condemned_attack_is_not_the_condemners(resources):
    _, evs = events_of("وأدانت الأردن ودول مجلس التعاون الهجوم على السفارة السعودية في طهران.", resources)
    assert not [e for e in evs if e.type == "ASSAULT" and e.source and e.source.country in ("JOR", "IGO:GCC")]
    assert not [e for e in evs if e.type == "COOPERATE"]  # "مجلس التعاون" is a name, not cooperation
    # a denial keeps its subject as the doer
    _, evs = events_of("ونفت روسيا قصف المستشفيات في سوريا.", resources)
    assert find(evs, "RUS", "SYR", "ASSAULT").mode == "denied"


def test_plans_are_future_plots_hypothetical(resources):
    _, evs = events_of("ووضعت الهند خطة لتقديم مساعدات إنسانية إلى سريلانكا.", resources)
    assert find(evs, "IND", "LKA", "AID").mode == "future"
    _, evs = events_of("وكشفت الشرطة الفرنسية عن مخطط لمهاجمة السفارة الأمريكية في باريس.", resources)
    assert all(e.mode == "hypothetical" for e in evs if e.type == "ASSAULT")


def test_forces_named_by_a_possessive_act_for_their_owner(resources):
    _, evs = events_of("وقال الجيش الهندي إن قواته اعتقلت باكستانيين قرب الحدود.", resources)
    assert find(evs, "IND", "PAK", "COERCE").mode == "claimed"
    _, evs = events_of("وقالت وزارة الدفاع البريطانية إن طائراتها قصفت مواقع في العراق.", resources)
    find(evs, "GBR", "IRQ", "ASSAULT")


def test_an_actor_of_no_country_takes_the_place_it_is_in(resources):
    _, evs = events_of("وانتقد منظمة العفو الدولية في لندن السلطات الإيرانية.", resources)
    find(evs, "GBR", "IRN", "ACCUSE")


def test_giving_a_chance_is_no_aid(resources):
    _, evs = events_of("وقال محلل إن الحملة العسكرية منحت الإمارات فرصة لتعزيز نفوذها في اليمن.", resources)
    assert not [e for e in evs if e.type == "AID"]
    _, evs = events_of("وسلمت فرنسا أوكرانيا صواريخ بعيدة المدى.", resources)
    find(evs, "FRA", "UKR", "AID")


def test_a_prepositional_target_may_come_before_the_subject(resources):
    _, evs = events_of("وانتشرت في لبنان قوات فرنسية.", resources)
    find(evs, "FRA", "LBN", "MOBILIZE")  # لبنان is a name, not ل + a noun
    _, evs = events_of("وهاجمت في الليل قوات روسية مواقع أوكرانية.", resources)
    find(evs, "RUS", "UKR", "ASSAULT")


@pytest.mark.parametrize("text", [
    "وتواجه روسيا وإيران عقوبات غربية؛ موسكو بسبب هجومها على أوكرانيا وطهران بسبب برنامجها النووي.",
    "وتخضع روسيا لعقوبات بسبب هجومها على أوكرانيا.",
])
def test_an_undergoer_verb_governs_only_the_first_event_after_it(resources, text):
    """Russia undergoes the sanctions but does the attack; Iran, in a parallel clause
    (gapping: "وطهران بسبب ..."), is no second target of it."""
    _, evs = events_of(text, resources)
    got = triples(evs)
    assert ("RUS", "UKR", "ASSAULT") in got
    assert not {t for t in got if t[2] == "ASSAULT"} - {("RUS", "UKR", "ASSAULT")}
    assert any(t[1] == "RUS" and t[2] == "SANCTION" for t in got)


def test_a_coordinated_target_is_still_a_list(resources):
    _, evs = events_of("وقصفت إسرائيل مواقع في سوريا ولبنان بسبب تهريب الأسلحة.", resources)
    assert {("ISR", "SYR", "ASSAULT"), ("ISR", "LBN", "ASSAULT")} <= triples(evs)
