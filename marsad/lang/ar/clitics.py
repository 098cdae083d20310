"""Clitic splitting for matching: وبيونغيانغ → بيونغيانغ, لبوتين → بوتين, للولايات → الولايات.

Arabic attaches conjunctions (و ف), prepositions (ب ل ك), the article (ال) and the future
marker (س) to the front of a word, and object/possessive pronouns to its end.  We do not
analyse morphology; we generate the few candidate stems a dictionary might hold and let the
dictionary decide.  Everything works on keys (see normalize.py).
"""

from __future__ import annotations

from functools import lru_cache

# Proclitic sequences, longest first.  Names never take the article, so name matching uses
# NAME_PROCLITICS (conjunctions and prepositions only; "لل" = ل + ال restores the article).
NAME_PROCLITICS: tuple[str, ...] = (
    "ولل", "فلل", "وبال", "فبال", "وكال", "لل", "وب", "فب", "ول", "فل", "وك", "فك", "و", "ف", "ب", "ل", "ك",
)
WORD_PROCLITICS: tuple[str, ...] = (
    "وبال", "فبال", "وكال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
    "وب", "فب", "ول", "فل", "وك", "فك", "وس", "فس", "و", "ف", "ب", "ل", "ك", "س",
)
PROCLITICS = WORD_PROCLITICS
# Pronoun suffixes, longest first.
ENCLITICS: tuple[str, ...] = ("كما", "هما", "كم", "كن", "هم", "هن", "نا", "ها", "ه", "ك", "ي")

MIN_STEM = 2


@lru_cache(maxsize=200_000)
def prefix_variants(key: str, article: bool = False) -> tuple[tuple[int, str], ...]:
    """Candidate stems of a token key after removing proclitics.

    Returns ``(n, stem)`` pairs where ``n`` is how many key characters were removed from
    the front; the unsplit key comes first.  With ``article=False`` (names) the article is
    kept: وبيونغيانغ → بيونغيانغ, للولايات → الولايات, but الهادي does not become هادي.
    With ``article=True`` (ordinary words) it is removed too: والزيارة → زيارة.
    """
    out: list[tuple[int, str]] = [(0, key)]
    seen = {key}
    for p in WORD_PROCLITICS if article else NAME_PROCLITICS:
        if not key.startswith(p) or len(key) - len(p) < MIN_STEM:
            continue
        stem = key[len(p):]
        cands = [(len(p), stem)]
        if p.endswith("لل"):
            # ل + ال: the article's alef is elided; offer the stem with ال restored.
            cands.insert(0, (len(p) - 1, "ا" + key[len(p) - 1:]))
            if not article:
                cands.pop()
        for n, s in cands:
            if s not in seen:
                seen.add(s)
                out.append((n, s))
    return tuple(out)


@lru_cache(maxsize=200_000)
def suffix_variants(key: str) -> tuple[str, ...]:
    """Candidate stems after removing one pronoun suffix (اتهمتها → اتهمت).

    A feminine noun's ة is written ت before a suffix (زيارته, تغريدتها): the folded ة (ه)
    form is offered too (زيارته → زيارت, زياره).
    """
    out = [key]
    for s in ENCLITICS:
        if key.endswith(s) and len(key) - len(s) >= MIN_STEM + 1:
            stem = key[: -len(s)]
            out.append(stem)
            if stem.endswith("ت"):
                out.append(stem[:-1] + "ه")
    return tuple(dict.fromkeys(out))


def strip_article(key: str) -> str:
    """The key without a leading definite article (الروسي → روسي)."""
    if key.startswith("ال") and len(key) > 3:
        return key[2:]
    return key
