"""Duplicate clusters on texts generated here (never the corpus): exact copies through
scraper artifacts, light edits, extensions, rewrites, unrelated stories, and stable,
resumable cluster ids."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import EXAMPLES

from marsad import dedup
from marsad.clean import clean_text
from marsad.dedup import DedupIndex, Signature, is_duplicate, signature
from marsad.reader import split_title

LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"


def vocabulary(seed: int = 7, n: int = 4000) -> list[str]:
    rng = random.Random(seed)
    words = {"".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 7))) for _ in range(n)}
    return sorted(words)


VOCAB = vocabulary()


def article(rng: random.Random, n_words: int = 250, paragraphs: int = 4) -> str:
    """A pseudo-article: Zipf-like word choice, so common words repeat as in real text."""
    weights = [1 / (i + 1) for i in range(len(VOCAB))]
    words = rng.choices(VOCAB, weights=weights, k=n_words)
    step = max(1, n_words // paragraphs)
    paras = [" ".join(words[i:i + step]) + "." for i in range(0, n_words, step)]
    return "\n".join(paras)


def edit(text: str, rng: random.Random, share: float) -> str:
    """Replace ``share`` of the words with others (a light or heavy edit)."""
    ws = text.split(" ")
    for i in rng.sample(range(len(ws)), int(len(ws) * share)):
        ws[i] = rng.choice(VOCAB)
    return " ".join(ws)


def cleaned(text: str, ar) -> str:
    return clean_text(text, ar).text


@pytest.fixture
def rng():
    return random.Random(20240601)


def test_scraper_copy_is_an_exact_duplicate_after_cleaning(rng, ar):
    a = article(rng)
    paras = a.split("\n")
    copy = "\n".join(["[ad_1]", *paras[:2], "[ad_2]", "اقرأ أيضا: عنوان خبر آخر", *paras[2:],
                      "شارك على فيسبوك تويتر واتساب", "Source link"])
    sa, sc = signature(cleaned(a, ar)), signature(cleaned(copy, ar))
    assert sa.exact == sc.exact
    idx = DedupIndex()
    assert idx.assign("a", sa).kind == "new"
    got = idx.assign("copy", sc)
    assert (got.kind, got.cluster_id, got.matched) == ("exact", "a", "a")


def test_normalisation_makes_spelling_variants_exact(ar):
    a = "أعلنت الوزارة إطلاق مبادرة جديدة لدعم الطلاب، وقالت إن ٣٠ مدرسة ستشارك."
    b = "اعلنت الوزارة اطلاق مبادرة جديدة لدعم الطلاب وقالت ان 30 مدرسة ستشارك"
    assert signature(a).exact == signature(b).exact


def test_light_edits_join_and_heavy_rewrites_do_not(rng, ar):
    idx = DedupIndex()
    base = article(rng, 300)
    idx.assign("base", signature(base))
    light = edit(base, rng, 0.03)
    dropped = "\n".join(light.split("\n")[:-1]) + "\n(المصدر: وكالات)"  # last paragraph dropped, a credit added
    got = idx.assign("light", signature(cleaned(dropped, ar)))
    assert (got.kind, got.cluster_id) == ("near", "base")
    heavy = edit(base, rng, 0.5)
    assert idx.assign("heavy", signature(heavy)).kind == "new"


def test_extension_and_cut_join_by_containment(rng):
    base = article(rng, 240)
    extended = base + "\n" + article(random.Random(1), 360)  # long background added: J ~ 0.4
    cut = " ".join(base.split(" ")[:100])  # the first 40 % only: J ~ 0.4
    sb, se, sc = signature(base), signature(extended), signature(cut)
    assert se.jaccard(sb) < dedup.THRESHOLD and sc.jaccard(sb) < dedup.THRESHOLD  # Jaccard alone is not enough
    idx = DedupIndex()
    idx.assign("base", sb)
    assert idx.assign("extended", se).cluster_id == "base"
    assert idx.assign("cut", sc).cluster_id == "base"
    # a short story embedded in a much longer roundup is not caught by containment alone
    assert not is_duplicate(0.15, 100, 600)


def test_unrelated_articles_stay_apart(rng):
    idx = DedupIndex()
    kinds = [idx.assign(f"a{i}", signature(article(rng, rng.randint(80, 400)))).kind for i in range(300)]
    assert kinds.count("new") == 300


def test_shared_boilerplate_is_not_enough(rng):
    """Two stories that open with the same 25-word formula are different stories."""
    intro = " ".join(rng.choices(VOCAB, k=25))
    a, b = intro + " " + article(rng, 200), intro + " " + article(rng, 200)
    idx = DedupIndex()
    idx.assign("a", signature(a))
    assert idx.assign("b", signature(b)).kind == "new"


def test_team_examples_republications(ar):
    def text(name: str) -> str:
        return cleaned(split_title((EXAMPLES / "articles" / name).read_text(encoding="utf-8"))[1], ar)

    idx = DedupIndex()
    for name in sorted(p.name for p in (EXAMPLES / "articles").glob("0*.txt")):
        a = idx.assign(name[:3], signature(text(name)))
        if name.startswith("017"):
            assert a.cluster_id == "006"
        elif name.startswith("018"):
            assert (a.kind, a.cluster_id) == ("near", "002")
        else:
            assert a.kind == "new", name


def test_an_article_joins_its_most_similar_cluster(rng):
    base1, base2 = article(rng, 300), article(rng, 300)
    idx = DedupIndex()
    idx.assign("c1", signature(base1))
    idx.assign("c2", signature(base2))
    mix = " ".join(base1.split(" ")[:200] + base2.split(" ")[200:260])  # mostly base1
    a = idx.assign("mix", signature(mix))
    assert a.cluster_id == "c1" and a.matched == "c1"


def _sequence(rng: random.Random, n: int = 120) -> list[tuple[str, Signature]]:
    out: list[tuple[str, Signature]] = []
    texts: list[str] = []
    for i in range(n):
        r = rng.random()
        if texts and r < 0.25:
            t = rng.choice(texts)  # exact republication
        elif texts and r < 0.5:
            t = edit(rng.choice(texts), rng, 0.04)  # light edit of an earlier one
        else:
            t = article(rng, rng.randint(60, 350))
        texts.append(t)
        out.append((f"id{i:03d}", signature(t)))
    return out


def test_resumed_index_assigns_what_an_uninterrupted_run_assigns(rng):
    seq = _sequence(rng)
    clean = DedupIndex()
    expected = {aid: clean.assign(aid, sig).cluster_id for aid, sig in seq}
    assert len(set(expected.values())) < len(seq) // 2 + 10  # there are clusters to get right
    for cut in (1, 37, 90):
        first = DedupIndex()
        stored = [(aid, first.assign(aid, sig).cluster_id, sig.to_bytes()) for aid, sig in seq[:cut]]
        random.Random(cut).shuffle(stored)  # the store returns them in id order, not ingest order
        resumed = DedupIndex()
        resumed.load((aid, cid, Signature.from_bytes(b)) for aid, cid, b in stored)
        got = {aid: cid for aid, cid, _ in stored}
        got.update({aid: resumed.assign(aid, sig).cluster_id for aid, sig in seq[cut:]})
        assert got == expected, cut


def test_cluster_ids_are_stable_for_known_articles(rng):
    idx = DedupIndex()
    s = signature(article(rng))
    assert idx.assign("x", s).cluster_id == "x"
    again = idx.assign("x", s)
    assert (again.kind, again.cluster_id) == ("known", "x")
    idx.add_stored("y", "x", signature(article(rng)))
    assert idx.cluster_of("y") == "x" and "y" in idx and len(idx) == 2


def test_signature_bytes_round_trip_and_rejects_others(rng):
    s = signature(article(rng))
    b = s.to_bytes()
    r = Signature.from_bytes(b)
    assert r.exact == s.exact and r.n_shingles == s.n_shingles and np.array_equal(r.hashvalues, s.hashvalues)
    with pytest.raises(ValueError, match="not a marsad"):
        Signature.from_bytes(b"XX" + b[2:])
    with pytest.raises(ValueError, match="truncated"):
        Signature.from_bytes(b[:-10])
    other = bytearray(b)
    other[3] = 5  # made with 5-word shingles
    with pytest.raises(ValueError, match="5-word"):
        Signature.from_bytes(bytes(other))


def test_short_and_empty_texts():
    assert dedup.shingles(["ا", "ب"]) == {"ا ب"}
    assert dedup.shingles([]) == set()
    empty = signature("،،، !!")
    assert empty.n_shingles == 0
    idx = DedupIndex()
    assert idx.assign("e1", empty).kind == "new"
    assert idx.assign("e2", signature("؟")).kind == "exact"  # same (empty) normalised text
    assert idx.assign("w", signature("كلمتان فقط")).kind == "new"
