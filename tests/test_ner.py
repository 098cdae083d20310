"""The statistical NER: shipped model, tagging API, CoNLL scoring (ner-eval) and bad input."""

from __future__ import annotations

import importlib.util
import json
import random
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SHARED, need

from marsad.cli import main
from marsad.ner import (
    ConllError,
    Featurizer,
    documents,
    entities,
    load_default_model,
    parse_conll,
    score,
    token_tags_to_words,
    word_tags_to_tokens,
    words_doc,
)
from marsad.text import make_doc


@pytest.fixture(scope="module")
def model():
    m = load_default_model()
    assert m is not None, "the NER model must ship in marsad/models (make ner-model)"
    return m


# -- the shipped model ---------------------------------------------------------------------
def test_shipped_model_loads_with_its_training_record(model):
    assert {"O", "B-PERS", "I-PERS", "B-LOC", "B-ORG", "B-MISC"} <= set(model.labels)
    assert model.meta["training_data"].startswith("ANERcorp")
    assert model.meta["kb_size"]["actors"] > 0  # trained with the actor dictionary's gazetteer
    assert model.path.stat().st_size < 8_000_000


# Sentences written for this test (not from any corpus), one document; a few names are
# invented, the others are real but come with the context a news story gives them.
UNSEEN = """وقال وزير الخارجية الأردني أيمن الصفدي إن الوفد سيصل إلى القاهرة صباح الأحد.
صرح الدكتور كريم منصور لصحيفة الشرق الأوسط بأن الشركة ستفتتح فرعا في دبي.
وأعلنت شركة النور للاتصالات أنها افتتحت فرعا جديدا في مدينة طرابلس.
أكد رئيس الوزراء العراقي محمد شياع السوداني أن بغداد لن تسمح بأي اعتداء.
وقال الوزير سليم الحداد إن المحادثات مع الجانب الأردني كانت إيجابية.
وأضاف الحداد أن الاجتماع المقبل سيعقد في عمّان.
ذكرت وكالة رويترز أن الأمم المتحدة دعت إلى وقف إطلاق النار في غزة.
والتقى المدرب الإسباني خوسيه مارتينيز لاعبي نادي الهلال في الرياض."""
EXPECTED_ENTITIES = [
    ("أيمن الصفدي", "PERS"), ("القاهرة", "LOC"), ("كريم منصور", "PERS"), ("دبي", "LOC"),
    ("طرابلس", "LOC"), ("محمد شياع السوداني", "PERS"), ("بغداد", "LOC"), ("سليم الحداد", "PERS"),
    ("الحداد", "PERS"), ("عمّان", "LOC"), ("رويترز", "ORG"), ("الأمم المتحدة", "ORG"), ("غزة", "LOC"),
    ("خوسيه مارتينيز", "PERS"), ("الرياض", "LOC"),
]


def test_tags_unseen_sentences_sensibly(model, ar):
    doc = make_doc(UNSEEN, ar)
    ents = model.tag(doc)
    got = {(e.text, e.label) for e in ents}
    found = [x for x in EXPECTED_ENTITIES if x in got]
    # a statistical model may miss one or two; most must be there, with the right type
    assert len(found) >= 12, sorted(set(EXPECTED_ENTITIES) - got)
    # a later mention by surname alone is found through the document features
    assert ("الحداد", "PERS") in got
    # and ordinary words are not names
    for e in ents:
        assert not any(w in e.text for w in ("الوفد", "المحادثات", "الاجتماع", "الشركة", "صباح"))
    for e in ents:
        assert doc.text[e.start:e.end] == e.text
        assert doc.tokens[e.tok_i].start <= e.start < doc.tokens[e.tok_i].end
        assert e.end == doc.tokens[e.tok_j - 1].end
        assert e.label in ("PERS", "LOC", "ORG", "MISC")
        assert doc.tokens[e.tok_i].sent == doc.tokens[e.tok_j - 1].sent


def test_entity_start_skips_a_leading_clitic(model, ar):
    text = "واجتمع ماكرون وبوتين في باريس، ثم عاد الرئيس الروسي بالطائرة إلى روسيا وبالصين بعدها."
    doc = make_doc(text, ar)
    ents = {e.text: e for e in model.tag(doc)}
    assert "بوتين" in ents, ents
    e = ents["بوتين"]
    assert doc.tokens[e.tok_i].text == "وبوتين" and e.start == doc.tokens[e.tok_i].start + 1
    if "الصين" in ents:  # proclitic + article: بالصين → الصين
        assert doc.tokens[ents["الصين"].tok_i].text == "وبالصين"
    # names whose first letter looks like a clitic keep it
    doc2 = make_doc("صرح الدكتور كريم منصور لوكالة الأنباء بأنه زار لبنان وبيروت.", ar)
    texts = {e.text for e in model.tag(doc2)}
    assert "كريم منصور" in texts and "لبنان" in texts, texts


def test_fast_tagger_agrees_with_crfsuite(model, ar):
    for text in (UNSEEN, "وأعلنت وزارة الخارجية السعودية في الرياض أن الأمير فيصل بن فرحان سيزور باريس ولندن.",
                 "ذكرت وكالة رويترز أن الأمم المتحدة والاتحاد الأوروبي دعوا إلى وقف إطلاق النار في غزة."):
        doc = make_doc(text, ar)
        assert model.tag_labels(doc) == model.crfsuite_labels(doc)


def test_compiled_viterbi_equals_numpy(model):
    """The C search (marsad/_speedups.c) and the numpy one give the same labels, ties
    included: random scores, rounded so that equal path scores happen."""
    import numpy as np

    import marsad.ner as ner

    need(ner._speedups is not None, "marsad._speedups compiled at install (needs a C compiler)")
    rng = np.random.default_rng(7)
    nlab = len(model.labels)
    for trial in range(200):
        n = int(rng.integers(1, 60))
        e = np.round(rng.normal(0, 2, (n, nlab)), 0 if trial % 2 else 3)
        cuts = sorted({0, n, *rng.integers(0, n + 1, int(rng.integers(0, 5))).tolist()})
        bounds = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False)]
        if trial % 5 == 0 and len(bounds) > 1:
            bounds = bounds[1:]  # tokens outside every sentence are O
        assert model.decode(e, bounds).tolist() == model.decode_numpy(e, bounds).tolist(), trial


def test_compiled_viterbi_rejects_bad_arrays():
    import numpy as np

    import marsad.ner as ner

    need(ner._speedups is not None, "marsad._speedups compiled at install (needs a C compiler)")
    v = ner._speedups.viterbi
    e, t = np.zeros((4, 3)), np.zeros((3, 3))
    lo, lens, out = np.array([0], dtype=np.int64), np.array([4], dtype=np.int64), np.zeros(4, dtype=np.int64)
    v(e, t, lo, lens, out)
    with pytest.raises(ValueError, match="segment out of range"):
        v(e, t, lo, np.array([5], dtype=np.int64), out)
    with pytest.raises(ValueError, match="trans"):
        v(e, np.zeros((3, 2)), lo, lens, out)
    with pytest.raises(TypeError, match="format"):
        v(e.astype(np.float32), t, lo, lens, out)
    with pytest.raises(ValueError, match="out"):
        v(e, t, lo, lens, np.zeros(3, dtype=np.int64))


def test_type_cache_clearing_keeps_results(model, ar, monkeypatch):
    import threading

    import marsad.ner as ner

    docs = [make_doc(" ".join(f"قال الوزير{i} سامر{j} في مدينة حمص{i}." for i in range(12)), ar) for j in range(6)]
    want = [model.crfsuite_labels(d) for d in docs]
    monkeypatch.setattr(ner, "_MAX_TYPES", 25)  # smaller than one document: cleared all the time
    bad: list[int] = []

    def run() -> None:
        for _ in range(2):
            bad.extend(k for k, d in enumerate(docs) if model.tag_labels(d) != want[k])

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert bad == []


def test_empty_and_punctuation_only_docs(model, ar):
    assert model.tag(make_doc("", ar)) == []
    assert model.tag(make_doc("« » ، .", ar)) == []
    assert model.tag_sentences([[], ["."]]) == [[], ["O"]]


# -- features and alignment ----------------------------------------------------------------
def test_document_feature_counts_other_mentions_only(ar):
    f = Featurizer.build(ar, None)
    keys = [ar.normalize_key(w) for w in ("قال", "العالم", "أينشتاين", "إن", "وأينشتاين", "كتب")]
    labels = ["O", "O", "B-PERS", "O", "O", "O"]
    assert f.document(keys, labels) == {4: "dl=PERS"}
    labels2 = ["O", "O", "B-PERS", "O", "B-LOC", "O"]
    assert f.document(keys, labels2) == {2: "dl=LOC", 4: "dl=PERS"}


def test_tokens_keep_their_diacritics(ar):
    doc = make_doc("وصل أيضاً مَن فعّالة", ar)
    assert [t.text for t in doc.tokens] == ["وصل", "أيضاً", "مَن", "فعّالة"]


def test_words_and_tokens_round_trip(ar):
    sents = [["زار", "د.", "أحمد", "ق.م.", "1%"], ["روسيا", "."]]
    tags = [["O", "O", "B-PERS", "B-MISC", "O"], ["B-LOC", "O"]]
    doc, word_of = words_doc(sents, ar)
    assert len(doc.sentences) == 2
    tok_tags = word_tags_to_tokens(tags, word_of)
    assert tok_tags[word_of.index((0, 3)):word_of.index((0, 4))] == ["B-MISC", "I-MISC", "I-MISC", "I-MISC"]
    assert token_tags_to_words(tok_tags, word_of, doc.tokens, [5, 2]) == tags


# -- scoring -------------------------------------------------------------------------------
# token, gold, prediction: hand-counted below
TINY = """\
قال O O
الرئيس O O
عمر B-PERS B-PERS
البشير I-PERS I-PERS
في O O
الخرطوم B-LOC B-ORG
. O O

زار O O
سامي B-PERS B-PERS
العلي I-PERS O
دمشق B-LOC B-LOC
و O O
حلب B-LOC O
أمس O B-MISC

في O O
بيروت B-LOC I-LOC
"""
# PERS: عمر البشير found; سامي العلي missed, سامي alone wrong → tp 1, fp 1, fn 1
# LOC: دمشق, بيروت (an I- after O starts an entity) found; الخرطوم (tagged ORG), حلب missed
# ORG: الخرطوم is a false ORG; MISC: أمس is a false MISC
EXPECTED = {"PERS": (1, 1, 1), "LOC": (2, 0, 2), "ORG": (0, 1, 0), "MISC": (0, 1, 0)}


def test_ner_eval_counts_a_hand_made_file(tmp_path):
    f = tmp_path / "tiny.conll"
    f.write_text(TINY, encoding="utf-8")
    r = CliRunner().invoke(main, ["ner-eval", str(f), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["sentences"] == 3 and out["tokens"] == 16 and out["model"] is None
    for t, (tp, fp, fn) in EXPECTED.items():
        got = out["types"][t]
        assert (got["tp"], got["fp"], got["fn"]) == (tp, fp, fn), t
    assert out["types"]["PERS"]["f1"] == 0.5
    assert out["types"]["LOC"]["precision"] == 1.0 and out["types"]["LOC"]["recall"] == 0.5
    assert out["types"]["LOC"]["f1"] == 0.6667
    m = out["micro"]
    assert (m["tp"], m["fp"], m["fn"]) == (3, 3, 3) and m["f1"] == 0.5
    text = CliRunner().invoke(main, ["ner-eval", str(f)])
    assert text.exit_code == 0
    assert "micro" in text.output and "0.5000" in text.output


def test_ner_eval_tags_two_column_files_with_the_model(tmp_path, model):
    words = [["وقال", "المتحدث", "سليم", "الحداد", "في", "القاهرة", "."],
             ["وزار", "الرئيس", "الفرنسي", "باريس", "."]]
    gold = [["O", "O", "B-PERS", "I-PERS", "O", "B-LOC", "O"], ["O", "O", "O", "B-LOC", "O"]]
    f = tmp_path / "gold.conll"
    f.write_text("\n\n".join("\n".join(f"{w}\t{t}" for w, t in zip(ws, ts, strict=True))
                             for ws, ts in zip(words, gold, strict=True)) + "\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["ner-eval", str(f), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["model"] == model.path.name
    want = score(gold, model.tag_sentences(words)).to_dict()
    assert out["micro"] == want["micro"] and out["types"] == want["types"]
    assert out["micro"]["support"] == 3 and out["micro"]["tp"] >= 2


def test_entities_follow_seqeval_chunking():
    assert entities(["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG"]) == [
        ("PER", 0, 2), ("LOC", 3, 5), ("LOC", 5, 6), ("ORG", 6, 7)]
    assert entities(["S-PER", "B-LOC", "E-LOC", "I-LOC"]) == [("PER", 0, 1), ("LOC", 1, 3), ("LOC", 3, 4)]


def test_scorer_agrees_with_seqeval():
    seqeval = pytest.importorskip("seqeval.metrics")
    rng = random.Random(7)
    tags = ["O", "O", "O", "B-PERS", "I-PERS", "B-LOC", "I-LOC", "B-ORG", "I-ORG", "I-MISC", "B-MISC"]
    for _ in range(30):
        gold = [[rng.choice(tags) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(1, 8))]
        pred = [[t if rng.random() < 0.6 else rng.choice(tags) for t in s] for s in gold]
        ours = score(gold, pred)
        assert ours.micro.precision == pytest.approx(seqeval.precision_score(gold, pred))
        assert ours.micro.recall == pytest.approx(seqeval.recall_score(gold, pred))
        assert ours.micro.f1 == pytest.approx(seqeval.f1_score(gold, pred))
        rep = seqeval.classification_report(gold, pred, output_dict=True, zero_division=0)
        for t, s in ours.types.items():
            if t in rep:
                assert s.f1 == pytest.approx(rep[t]["f1-score"]) and s.support == rep[t]["support"]


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("content, message", [
    ("روسيا B-LOC\nقال\n", ":2: expected 'TOKEN TAG'"),
    ("روسيا B-LOC\nقال X-PER\n", ":2: malformed tag 'X-PER'"),
    ("روسيا B-LOC O\nقال O\n", ":2: 2 fields where earlier lines have 3"),
    ("روسيا B-LOC\nقال O O O\n", ":2: expected"),
    ("\n\n", "no tokens"),
])
def test_ner_eval_rejects_malformed_files(tmp_path, content, message):
    f = tmp_path / "bad.conll"
    f.write_text(content, encoding="utf-8")
    r = CliRunner().invoke(main, ["ner-eval", str(f)])
    assert r.exit_code == 3
    err = r.stderr if hasattr(r, "stderr") else r.output
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_ner_eval_rejects_unreadable_input(tmp_path):
    f = tmp_path / "latin1.conll"
    f.write_bytes("caf\xe9 O\n".encode("latin-1"))
    r = CliRunner().invoke(main, ["ner-eval", str(f)])
    assert r.exit_code == 3 and "not UTF-8" in r.output
    r = CliRunner().invoke(main, ["ner-eval", str(tmp_path / "missing.conll")])
    assert r.exit_code == 3 and "cannot read" in r.output
    r = CliRunner().invoke(main, ["ner-eval", str(f), "--model", str(tmp_path / "none.crfsuite")])
    assert r.exit_code == 3


def test_parse_conll_documents():
    sents = parse_conll(["-DOCSTART- O", "", "a O", "", "b O", "-DOCSTART- O", "c B-LOC"])
    assert [s.doc for s in sents] == [0, 0, 1]
    assert [len(d) for d in documents(sents, 50)] == [2, 1]
    assert [len(d) for d in documents(sents, 1)] == [1, 1, 1]
    with pytest.raises(ConllError, match="line|:1:"):
        parse_conll(["a"])


# -- development data (skipped without ../shared) -------------------------------------------
def _train_script():
    spec = importlib.util.spec_from_file_location("train_ner", ROOT / "scripts" / "train_ner.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["train_ner"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.slow
def test_aqmar_score_and_agreement(model):
    folder = SHARED / "data" / "aqmar" / "articles"
    if not folder.is_dir():
        pytest.skip("AQMAR not available")
    from marsad.ner import read_conll

    tn = _train_script()
    gold, pred = [], []
    for f in sorted(folder.glob("*.txt"))[:6]:
        sents = read_conll(f, tag_map=tn.aqmar_tag)
        gold.extend(s.gold for s in sents)
        pred.extend(model.tag_sentences([s.words for s in sents]))
    # the fast tagger and crfsuite's agree on a whole article, too
    doc, _ = words_doc([s.words for s in sents], model.lang)
    assert model.tag_labels(doc) == model.crfsuite_labels(doc)
    # Wikipedia articles on science and sport are far from ANERcorp's news: a low bar that
    # still catches a broken model or feature drift
    assert score(gold, pred).micro.f1 > 0.25
