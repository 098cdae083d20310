"""PhraseMatcher: clitic-aware phrase matching, and the start index all matchers share."""

from __future__ import annotations

from marsad.matcher import PhraseMatcher, _index_for
from marsad.text import make_doc


def _spans(matcher, doc, start=0, end=None):
    return [(m.text, m.payloads) for m in matcher.find_all(doc, start, end)]


def test_clitics_article_and_suffix_options(ar):
    doc = make_doc("وبيونغيانغ رحبت بالزيارة واتهمتها موسكو.", ar)
    names = PhraseMatcher(ar)  # names: the article is part of the name
    names.add("بيونغيانغ", "PRK")
    names.add("زيارة", "no")  # without article stripping, بالزيارة does not match زيارة
    words = PhraseMatcher(ar, article=True)
    words.add("زيارة", "visit")
    verbs = PhraseMatcher(ar, suffixes=True)
    verbs.add("اتهمت", "accuse")
    assert _spans(names, doc) == [("بيونغيانغ", ("PRK",))]
    assert _spans(words, doc) == [("زيارة", ("visit",))]
    assert _spans(verbs, doc) == [("اتهمتها", ("accuse",))]
    # the same answers token range by token range (the per-token path)
    assert _spans(words, doc, 1, 3) == [("زيارة", ("visit",))]
    assert _spans(words, doc, 0, 2) == []
    assert words.may_start(doc.tokens[2].key) and not names.may_start(doc.tokens[2].key)


def test_adding_a_phrase_after_a_document_was_matched(ar):
    doc = make_doc("التقى لافروف نظيرته تشوي سون هوي في بيونغيانغ.", ar)
    m = PhraseMatcher(ar)
    m.add("لافروف", 1)
    assert [x.text for x in m.find_all(doc)] == ["لافروف"]
    m.add("تشوي سون هوي", 2)  # the document's cached start positions are now stale
    assert [x.text for x in m.find_all(doc)] == ["لافروف", "تشوي سون هوي"]


def test_discarded_matchers_give_their_bits_back(ar):
    doc = make_doc("قال الكرملين إن بوتين سيزور بكين.", ar)
    keep = PhraseMatcher(ar)
    keep.add("بكين", "CHN")
    ix = _index_for(ar)
    for k in range(300):
        tmp = PhraseMatcher(ar, article=k % 2 == 0, suffixes=k % 3 == 0)
        tmp.add("بوتين", k)
        assert [x.payloads for x in tmp.find_all(doc)] == [(k,)]
        del tmp  # freed at once (no reference cycle), so its bit is given back
    assert ix._next < 50  # bits are reused, not one per matcher ever made
    assert [x.payloads for x in keep.find_all(doc)] == [("CHN",)]
    # a fresh matcher that reuses a freed bit sees none of the old one's phrases
    fresh = PhraseMatcher(ar)
    fresh.add("الكرملين", "KREMLIN")
    assert [x.payloads for x in fresh.find_all(doc)] == [("KREMLIN",)]
