"""Does a sentence report a protest or an attack that took place?

News mentions attacks and protests far more often than it reports one: as the background of
another story ("الهجوم الذي استهدف ..."), as history ("عام 1981"), as a threat or a plan, in
an opinion piece, or as a count ("وقع أكثر من 140 هجوما").  An event coder that turns every
such mention into an ASSAULT fills timelines with events that did not happen that day.

The extractor (``events.py``) finds the triggers; this module decides, per sentence and
type, how likely it is that the sentence reports one occurrence.  It is a logistic
regression over binary features: the extractor's own view of each trigger of the type
(lexicon entry, verb or noun, the article, mode, the rule-based occurrence test, whether it
found a source and a target ...) and which of the word lists in ``modality.yaml``
(``occurrence_model``) the sentence contains (recent time words, casualties, crowd sizes,
reporting verbs, opinion and plan words ...).  Every feature also appears prefixed with its
type, so PROTEST and ASSAULT share what they have in common and learn what they do not.

The judgement is attached to the events as ``Event.confidence``; the events stay.  The two
references we measure against disagree on purpose: the OEDA sentence labels call a
background mention "no", while the project's gold codes "Russia's attack on Ukraine" in
a background clause as an ASSAULT between the two states (dropping the events below the
threshold lowered the events F1 on the project's held-out gold from 0.35 to 0.31).  So a consumer that wants occurrences (a timeline of incidents,
sentence-level detection) keeps events for which :func:`is_occurrence` holds: asserted or
claimed, with a confidence at or above the type's threshold.

The weights (``lang/<code>/data/event_occurrence.json``) were trained by
``scripts/train_occurrence.py`` on the OEDA Arabic event gold sentences (MIT licence); the
file also records the cross-validated quality and the per-type threshold.  Scoring is a sum
of weights over a few dozen features: microseconds per sentence, no numpy at run time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from marsad.lang.base import Language
from marsad.model import TimeExpr
from marsad.text import Doc, Sentence

MODEL_FILE = "event_occurrence.json"
FEATURE_VERSION = 1

_YEAR = re.compile(r"^(1[89]|20)\d\d$")


@dataclass
class OccurrenceWords:
    """The word lists of ``modality.yaml``'s ``occurrence_model`` as sets of matching keys."""

    lists: dict[str, frozenset[str]]
    near_window: int = 4
    purpose_window: int = 12
    casualty_window: int = 8
    index: dict[str, frozenset[str]] = field(default_factory=dict)  # key → names of its lists
    memo: dict[str, frozenset[str]] = field(default_factory=dict)  # token key → names (via its stems)

    def __post_init__(self) -> None:
        index: dict[str, set[str]] = {}
        for name, keys in self.lists.items():
            for k in keys:
                index.setdefault(k, set()).add(name)
        self.index = {k: frozenset(v) for k, v in index.items()}

    def names(self, key: str, stems: Callable[[str], frozenset[str]]) -> frozenset[str]:
        """The lists a token (by its key, clitics stripped) belongs to (memoised)."""
        got = self.memo.get(key)
        if got is None:
            found: set[str] = set()
            for st in stems(key):
                found |= self.index.get(st, frozenset())
            got = frozenset(found)
            if len(self.memo) < 100_000:
                self.memo[key] = got
        return got

    def has(self, name: str, key: str, stems: Callable[[str], frozenset[str]]) -> bool:
        return name in self.names(key, stems)


@dataclass(frozen=True)
class OccurrenceModel:
    """Weights per feature name, one bias, and the detection threshold of each type."""

    weights: dict[str, float]
    bias: float
    thresholds: dict[str, float]
    words: OccurrenceWords
    info: dict[str, Any]

    @property
    def types(self) -> frozenset[str]:
        return frozenset(self.thresholds)

    def probability(self, features: Iterable[str]) -> float:
        """P(the sentence reports an occurrence) for an instance's features."""
        w = self.weights
        z = self.bias + sum(w.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


HAPPENED = frozenset({"asserted", "claimed"})


def is_occurrence(etype: str, mode: str, confidence: float | None, model: OccurrenceModel) -> bool:
    """Whether an event counts as reported taking place: its mode says it happened (asserted
    or claimed, not denied, negated, future or hypothetical) and, for a modelled type, its
    confidence reaches the type's threshold."""
    if mode not in HAPPENED:
        return False
    thr = model.thresholds.get(etype)
    return thr is None or (confidence is not None and confidence >= thr)


def load_words(lang: Language) -> OccurrenceWords:
    """The feature word lists of ``lang`` (memoised per language)."""
    cache = lang.cache
    words = cache.get("occurrence.words")
    if words is None:
        data = (lang.data("modality.yaml") or {}).get("occurrence_model") or {}
        key = lang.normalize_key
        lists: dict[str, frozenset[str]] = {}
        for name, ws in (data.get("words") or {}).items():
            keys: set[str] = set()
            for w in ws or []:
                k = key(str(w))
                keys.add(k)
                keys.add(lang.strip_article(k))
            lists[str(name)] = frozenset(k for k in keys if k)
        words = OccurrenceWords(lists, int(data.get("near_window", 4)), int(data.get("purpose_window", 12)),
                                int(data.get("casualty_window", 8)))
        cache["occurrence.words"] = words
    return words


def load_model(lang: Language) -> OccurrenceModel | None:
    """The shipped occurrence model of ``lang``; None when the language ships none."""
    cache = lang.cache
    if "occurrence.model" not in cache:
        try:
            data = lang.data(MODEL_FILE)
        except (FileNotFoundError, ModuleNotFoundError):
            data = None
        cache["occurrence.model"] = model_from_dict(data, lang) if data else None
    return cache["occurrence.model"]


def model_from_dict(data: dict[str, Any], lang: Language) -> OccurrenceModel:
    """Build a model from its JSON form (as written by scripts/train_occurrence.py)."""
    if int(data.get("feature_version", 0)) != FEATURE_VERSION:
        raise ValueError(f"{MODEL_FILE}: feature_version {data.get('feature_version')!r}, "
                         f"this code computes version {FEATURE_VERSION}: retrain the model")
    return OccurrenceModel(
        weights={str(k): float(v) for k, v in (data.get("weights") or {}).items()},
        bias=float(data.get("bias", 0.0)),
        thresholds={str(k): float(v) for k, v in (data.get("thresholds") or {}).items()},
        words=load_words(lang),
        info={k: v for k, v in data.items() if k not in ("weights", "bias", "thresholds")},
    )


def sentence_features(doc: Doc, sent: Sentence, times: list[TimeExpr], words: OccurrenceWords,
                      stems: Callable[[str], frozenset[str]], preps: frozenset[str]) -> set[str]:
    """What the sentence as a whole contains: its length, the word lists it hits (once /
    more than once), a year, a question, a time expression, protesters as an object."""
    f: set[str] = set()
    hits: dict[str, int] = {}
    n = 0
    prev = ""
    prot_pp = False
    for t in doc.tokens[sent.tok_start:sent.tok_end]:
        key = t.key
        if not t.is_word:
            if key in ("?", "؟"):
                f.add("question")
            elif key == "!":
                f.add("excl")
            prev = key
            continue
        n += 1
        names = words.names(key, stems)
        for name in names:
            hits[name] = hits.get(name, 0) + 1
        if key.isdigit():
            if _YEAR.match(key):
                f.add("year")
            else:
                hits["counts"] = hits.get("counts", 0) + 1
        if not prot_pp and "protesters" in names and (
                prev in preps or (key[:1] in ("ل", "ب") and not key.startswith("لا"))):
            prot_pp = True  # "للمتظاهرين", "على المتظاهرين": protesters acted on
        prev = key
    f.add(f"len={min(5, n // 10)}")
    for name, v in hits.items():
        f.add(f"s:{name}")
        if v > 1:
            f.add(f"s:{name}2")
    if prot_pp:
        f.add("prot_pp")
    if any(sent.start <= x.start < sent.end for x in times):
        f.add("time")
    return f


def window_features(doc: Doc, sent: Sentence, i: int, j: int, words: OccurrenceWords,
                    stems: Callable[[str], frozenset[str]]) -> set[str]:
    """What stands around a trigger at tokens [i, j): a crowd size right before or after it,
    a purpose ("احتجاجا على") after it, casualties near it."""
    toks = doc.tokens
    f: set[str] = set()

    def any_in(lo: int, hi: int, name: str, digits: bool = False) -> bool:
        for k in range(max(lo, sent.tok_start), min(hi, sent.tok_end)):
            key = toks[k].key
            if (digits and key.isdigit()) or name in words.names(key, stems):
                return True
        return False

    if any_in(j, j + words.near_window, "crowd", digits=True):
        f.add("crowd_after")
    if any_in(i - words.near_window, i, "crowd", digits=True):
        f.add("crowd_before")
    if any_in(j, j + words.purpose_window, "purpose"):
        f.add("purpose_after")
    if any_in(i - words.casualty_window, j + words.casualty_window, "casualties"):
        f.add("cas_near")
    return f


def instance(etype: str, trigger_features: Iterable[set[str]], sentence: set[str]) -> frozenset[str]:
    """The features of one (sentence, type) instance: the union over its triggers, the
    sentence's own, the number of triggers, each also prefixed with the type."""
    trig = list(trigger_features)
    base = set(sentence)
    for tf in trig:
        base |= tf
    base.add(f"n={min(3, len(trig))}")
    out = {f"{etype}:{x}" for x in base}
    out |= base
    out.add(f"bias:{etype}")
    return frozenset(out)
