"""Statistical named-entity recognition for Arabic: a linear-chain CRF over marsad's tokens.

Dictionaries only find the actors someone listed; the NER finds the rest (people,
organisations, places, other names) so that the actor stage can give them a country and a
role from context.  A CRF trained on ANERcorp (see scripts/train_ner.py) is small, trains
in minutes and runs on one CPU core well within the pipeline's budget, with no downloads.

Speed: every feature of a token is a function of one token *type* at a fixed offset
(−2..+2) or of a few per-token facts (dictionary matches, sentence edges).  At load time the
model's weights are folded into per-type emission vectors, cached by token text, so tagging
a document is a few array look-ups plus an exact Viterbi search (in C when
``marsad._speedups`` was compiled, else numpy).  ``crfsuite``'s own tagger gives the same
labels (a test checks it).

Also here: reading CoNLL BIO files and entity-level scoring with seqeval's counting rules
(``marsad ner-eval``).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

try:  # the compiled Viterbi search; optional (see marsad/_speedups.c)
    from marsad import _speedups
except ImportError:  # pragma: no cover - depends on the install
    _speedups = None

from marsad.lang import Language, get_language
from marsad.matcher import PhraseMatcher
from marsad.text import Doc, Sentence, Token, tokenize

TYPES = ("PERS", "LOC", "ORG", "MISC")
MODEL_FILE = "ner-ar.crfsuite"
META_FILE = "ner-ar.json"
# Bumped whenever the features change: a model trained with other features is refused.
FEATURES_VERSION = 1
OFFSETS = (-2, -1, 1, 2)
# Token types whose emission vectors are cached (5 × labels floats each, ~18 MB in all);
# when full, the half seen in the fewest documents is forgotten.
_MAX_TYPES = 200_000


# --------------------------------------------------------------------------- CoNLL input
class ConllError(ValueError):
    """A malformed CoNLL file: the message names the file and line."""


@dataclass
class ConllSentence:
    """One sentence of a CoNLL file: words, gold tags, and predicted tags when given."""

    words: list[str]
    gold: list[str]
    pred: list[str] | None
    line: int  # line number of the first token
    doc: int = 0  # document number (a -DOCSTART- line starts the next one)


_TAG_RE = re.compile(r"^(?:O|[BIES]-\S+)$")


def read_conll(path: str | Path, tag_map: Callable[[str], str] | None = None) -> list[ConllSentence]:
    """Read a CoNLL BIO file (``token TAG`` or ``token GOLD PRED`` per line)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ConllError(f"cannot read {p}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConllError(f"{p}: not UTF-8 (byte {exc.start})") from exc
    return parse_conll(text.splitlines(), str(p), tag_map)


def parse_conll(lines: Iterable[str], name: str = "<input>",
                tag_map: Callable[[str], str] | None = None) -> list[ConllSentence]:
    """Parse CoNLL lines: whitespace-separated columns, blank line between sentences.

    Two columns are token and gold tag; three are token, gold and predicted tag.  Every
    line must have the same number of columns.  ``-DOCSTART-`` lines are skipped.
    """
    out: list[ConllSentence] = []
    words: list[str] = []
    gold: list[str] = []
    pred: list[str] = []
    ncols = 0
    first = 0
    doc = 0

    def flush() -> None:
        nonlocal words, gold, pred
        if words:
            out.append(ConllSentence(words, gold, pred if ncols == 3 else None, first, doc))
        words, gold, pred = [], [], []

    for lineno, raw in enumerate(lines, 1):
        if "\x00" in raw:
            raise ConllError(f"{name}:{lineno}: binary data (NUL byte)")
        parts = raw.split()
        if not parts:
            flush()
            continue
        if parts[0] == "-DOCSTART-":
            flush()
            if out:
                doc += 1
            continue
        if len(parts) not in (2, 3):
            raise ConllError(f"{name}:{lineno}: expected 'TOKEN TAG' or 'TOKEN GOLD PRED', "
                             f"got {len(parts)} field{'s' if len(parts) != 1 else ''}")
        if ncols and len(parts) != ncols:
            raise ConllError(f"{name}:{lineno}: {len(parts)} fields where earlier lines have {ncols}")
        ncols = len(parts)
        tags = parts[1:]
        if tag_map is not None:
            tags = [tag_map(t) for t in tags]
        for t in tags:
            if not _TAG_RE.match(t):
                raise ConllError(f"{name}:{lineno}: malformed tag {t!r} (want O, B-TYPE or I-TYPE)")
        if not words:
            first = lineno
        words.append(parts[0])
        gold.append(tags[0])
        if ncols == 3:
            pred.append(tags[1])
    flush()
    if not out:
        raise ConllError(f"{name}: no tokens")
    return out


def documents(sents: Sequence[ConllSentence], size: int = 50) -> list[list[ConllSentence]]:
    """Sentences grouped into the documents the tagger sees at once (its ``dl=`` features
    look across a document): a -DOCSTART- line starts one, and so does every ``size``-th
    sentence, since corpora such as ANERcorp have no document marks."""
    out: list[list[ConllSentence]] = []
    prev = None
    for s in sents:
        if not out or s.doc != prev or len(out[-1]) >= size:
            out.append([])
        out[-1].append(s)
        prev = s.doc
    return out


# ------------------------------------------------------------------------------ scoring
def entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Entities ``(type, start, end)`` (end exclusive) of one tag sequence.

    Same chunking as seqeval's default (non-strict) mode, so the numbers agree with it: an
    I- after O or after another type starts an entity, E-/S- (IOBES) are understood.
    """
    out: list[tuple[str, int, int]] = []
    prev_tag, prev_type, begin = "O", "", 0
    for i, chunk in enumerate([*tags, "O"]):
        tag = chunk[0]
        typ = chunk[1:].split("-", 1)[-1] or "_"
        if _chunk_ends(prev_tag, tag, prev_type, typ):
            out.append((prev_type, begin, i))
        if _chunk_starts(prev_tag, tag, prev_type, typ):
            begin = i
        prev_tag, prev_type = tag, typ
    return out


def _chunk_ends(prev_tag: str, tag: str, prev_type: str, typ: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != typ


def _chunk_starts(prev_tag: str, tag: str, prev_type: str, typ: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != typ


@dataclass
class PRF:
    """Counts of one entity type (or all): true positives, false positives, false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
                "support": self.support}


@dataclass
class NerScore:
    """Entity-level scores: exact span and type must match."""

    micro: PRF
    types: dict[str, PRF]
    sentences: int
    tokens: int

    def to_dict(self) -> dict[str, Any]:
        return {"micro": self.micro.to_dict(),
                "types": {t: s.to_dict() for t, s in self.types.items()},
                "sentences": self.sentences, "tokens": self.tokens}


def score(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]]) -> NerScore:
    """Entity-level micro and per-type P/R/F1 of ``pred`` against ``gold`` (per sentence)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold sentences but {len(pred)} predicted")
    types: dict[str, PRF] = {t: PRF() for t in TYPES}
    micro = PRF()
    ntok = 0
    for k, (g, p) in enumerate(zip(gold, pred, strict=True)):
        if len(g) != len(p):
            raise ValueError(f"sentence {k + 1}: {len(g)} gold tags but {len(p)} predicted")
        ntok += len(g)
        ge, pe = set(entities(g)), set(entities(p))
        for e in ge | pe:
            s = types.setdefault(e[0], PRF())
            if e in ge and e in pe:
                s.tp += 1
                micro.tp += 1
            elif e in pe:
                s.fp += 1
                micro.fp += 1
            else:
                s.fn += 1
                micro.fn += 1
    return NerScore(micro, types, len(gold), ntok)


# ----------------------------------------------------------------------------- features
def _shape(text: str) -> str:
    c = text[0]
    if text.isdigit() or all(ch.isdigit() or ch in ".,٫٬" for ch in text):
        return "D"
    if any(ch.isdigit() for ch in text):
        return "d"
    if c.isascii() and c.isalpha():
        return "L" if c.isupper() else "l"
    if c.isalpha():
        return "A"
    return "P"


def _vowels(stem: str) -> str:
    """How much of a word is long vowels: transliterated foreign names (أينشتاين) are full
    of them, Arabic words of the same length much less so."""
    if len(stem) < 4:
        return "short"
    v = sum(ch in "اويء" for ch in stem)
    return str(min(4, round(4 * v / len(stem))))


@dataclass
class Featurizer:
    """Turns tokens into CRF attributes (strings).

    Three kinds, so that tagging stays fast: *type* features depend only on a token's text
    (and are seen by the neighbours at −2..+2 with a prefix); *context* features depend on
    the sentence (dictionary matches, sentence edges); *document* features (``dl=TYPE``) say
    how the first tagging pass labelled the same name elsewhere in the document.  The same
    code builds the training data and the run-time features, so the two cannot drift apart.
    """

    lang: Language
    cues: dict[str, frozenset[str]]
    alias_tokens: dict[str, tuple[str, ...]]  # key → gazetteer types of aliases containing it
    gazetteer: PhraseMatcher[str] | None = None  # every alias → PER/ORG/GPE/LOC/CAP/ADJ/OFF
    _cache: dict[str, tuple[list[str], ...]] = field(default_factory=dict, repr=False)
    _stems: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _cue_of: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # word → its cue lists

    def __post_init__(self) -> None:
        for c, words in self.cues.items():
            for w in words:
                self._cue_of[w] = (*self._cue_of.get(w, ()), c)

    @classmethod
    def build(cls, lang: Language | None = None, kb: Any = None) -> Featurizer:
        lang = lang or get_language("ar")
        if kb is None:
            return cls(lang, load_cues(lang), {}, None)
        return cls(lang, load_cues(lang), alias_token_index(kb, lang), gazetteer_matcher(kb, lang))

    # -- per type -------------------------------------------------------------------
    def type_features(self, text: str) -> tuple[list[str], ...]:
        """Attributes of a token type at offsets −2, −1, 0, +1, +2 (memoised; for training)."""
        f = self._cache.get(text)
        if f is None:
            f = self._cache[text] = self.compute_type(text)
        return f

    def compute_type(self, text: str) -> tuple[list[str], ...]:
        """Attributes of a token type at offsets −2, −1, 0, +1, +2 (in this order)."""
        own, ctx = self.type_attrs(text)
        return tuple(own if d == 0 else [f"{d:+d}" + a for a in ctx] for d in (-2, -1, 0, 1, 2))

    def type_attrs(self, text: str) -> tuple[list[str], list[str]]:
        """A token type's own attributes, and those its neighbours see (without the offset
        prefix)."""
        lang = self.lang
        k = lang.normalize_key(text)
        sh = _shape(text)
        if sh == "P":
            return ["w=" + k, "sh=P"], ["w=" + k]
        own = ["w=" + k, "sh=" + sh, f"len={min(len(k), 9)}"]
        name_vars = lang.prefix_variants(k, False)
        for n, s in name_vars[1:]:
            own.append("st=" + s)
            own.append("pre=" + k[:n])
        word_vars = lang.prefix_variants(k, True)
        stem = min((s for _, s in word_vars), key=len)
        own.extend(("ast=" + stem, "p1=" + stem[:1], "p2=" + stem[:2], "p3=" + stem[:3],
                    "p4=" + stem[:4], "s1=" + k[-1:], "s2=" + k[-2:], "s3=" + k[-3:],
                    "s4=" + k[-4:], "ss2=" + stem[-2:], "vw=" + _vowels(stem)))
        cue_of = self._cue_of
        cues = sorted({c for _, s in word_vars for c in cue_of.get(s, ())})
        gz = sorted({t for _, s in name_vars for t in self.alias_tokens.get(s, ())})
        extra = ["cue=" + c for c in cues] + ["gzt=" + t for t in gz]
        own.extend(extra)
        return own, ["w=" + k, "ast=" + stem, "sh=" + sh, *extra]

    # -- per token in its sentence ------------------------------------------------------
    def gazetteer_tags(self, doc: Doc) -> dict[int, list[str]]:
        """Dictionary matches as BIO tags per token index: ``B-PER``, ``I-ORG``, ``B-ADJ`` ...

        A match never crosses a sentence boundary.
        """
        out: dict[int, list[str]] = {}
        if self.gazetteer is None:
            return out
        toks = doc.tokens
        for m in self.gazetteer.find_all(doc):
            if toks[m.i].sent != toks[m.j - 1].sent:
                continue
            for t in m.payloads:
                for k in range(m.i, m.j):
                    tag = ("B-" if k == m.i else "I-") + t
                    lst = out.setdefault(k, [])
                    if tag not in lst:
                        lst.append(tag)
        return out

    def context(self, lo: int, hi: int, gaz: dict[int, list[str]]) -> list[list[str]]:
        """Context attributes of tokens [lo, hi) of one sentence."""
        out: list[list[str]] = [[] for _ in range(lo, hi)]
        out[0].append("BOS")
        out[-1].append("EOS")
        for i, tags in gaz.items():
            if not lo <= i < hi:
                continue
            # token i's tags, as seen by itself and by its neighbours
            for j, prefix in ((i, "gz="), (i - 1, "+1gz="), (i + 1, "-1gz=")):
                if lo <= j < hi:
                    out[j - lo].extend(prefix + t for t in tags)
        return out

    def sequence(self, texts: Sequence[str], ctx: Sequence[list[str]]) -> list[list[str]]:
        """Type and context attributes of one sentence's tokens."""
        n = len(texts)
        tf = [self.type_features(t) for t in texts]
        out = []
        for i in range(n):
            attrs = list(tf[i][2])
            for slot, d in ((0, -2), (1, -1), (3, 1), (4, 2)):
                j = i + d
                if 0 <= j < n:
                    attrs.extend(tf[j][slot])
                else:
                    attrs.append(f"{d:+d}PAD")
            attrs.extend(ctx[i])
            out.append(attrs)
        return out

    # -- per token in its document --------------------------------------------------------
    def document(self, keys: Sequence[str], labels: Sequence[str],
                 positions: dict[str, list[int]] | None = None) -> dict[int, str]:
        """``dl=TYPE`` for tokens whose name (clitics aside) the first pass tagged elsewhere.

        ``keys`` and ``labels`` are the document's token keys and first-pass BIO labels;
        ``positions`` (token indexes by key, as ``Doc.key_positions``) saves rebuilding it.
        TYPE is the most frequent type among the *other* occurrences, so a name the model
        recognised once after a title (العالم أينشتاين) is recognised everywhere.  Words of
        fewer than three letters and function words (ner_cues.yaml) get none.
        """
        stems_of = self._stems_of
        counts: dict[str, dict[str, int]] = {}
        for k, lab in zip(keys, labels, strict=True):
            if lab != "O":
                typ = lab[2:]
                for st in stems_of(k):
                    c = counts.setdefault(st, {})
                    c[typ] = c.get(typ, 0) + 1
        out: dict[int, str] = {}
        if not counts:
            return out
        skip = self.cues.get("function", frozenset())
        if positions is None:
            positions = {}
            for i, k in enumerate(keys):
                positions.setdefault(k, []).append(i)
        # a key's stems are its own tail (or the tail with ال restored), so they end in its
        # last two letters: keys ending otherwise cannot share a stem with a tagged name
        tails = {st[-2:] for st in counts}
        for k, pos in positions.items():
            if k[-2:] not in tails or len(k) < 3 or k in skip:
                continue
            stems = stems_of(k)
            tot: dict[str, int] = {}
            for st in stems:
                c = counts.get(st)
                if c is not None:
                    for t, v in c.items():
                        tot[t] = tot.get(t, 0) + v
            if not tot:
                continue
            for i in pos:
                own = labels[i]
                mine = tot
                if own != "O":  # its own label counted once per stem
                    mine = dict(tot)
                    mine[own[2:]] -= len(stems)
                best = max(mine.items(), key=lambda tv: (tv[1], -_TYPE_ORDER.get(tv[0], 9)))
                if best[1] > 0:
                    out[i] = "dl=" + best[0]
        return out

    def _stems_of(self, key: str) -> tuple[str, ...]:
        """The key and its clitic-free forms (names keep their article)."""
        st = self._stems.get(key)
        if st is None:
            if len(self._stems) > _MAX_TYPES:
                self._stems.clear()
            st = self._stems[key] = tuple(s for _, s in self.lang.prefix_variants(key, False))
        return st


_TYPE_ORDER = {t: i for i, t in enumerate(TYPES)}


def load_cues(lang: Language) -> dict[str, frozenset[str]]:
    """The cue word lists of ner_cues.yaml as sets of article-stripped keys."""
    data = lang.data("ner_cues.yaml") or {}
    out: dict[str, frozenset[str]] = {}
    for name, words in data.items():
        keys: set[str] = set()
        for w in words or []:
            k = lang.normalize_key(str(w).strip())
            if k:
                keys.add(k)
                keys.add(lang.strip_article(k))
        out[str(name)] = frozenset(keys)
    return out


def gazetteer_matcher(kb: Any, lang: Language) -> PhraseMatcher[str]:
    """One matcher for the whole dictionary, its payload the kind of name: actor type
    (PER ORG GPE LOC), CAP (capital city), ADJ (nationality adjective), OFF (office title)."""
    m: PhraseMatcher[str] = PhraseMatcher(lang, article=False)
    for e in kb.entries.values():
        for a in (*e.ar, *e.ambiguous):
            m.add(a, e.type)
        for c in e.capitals:
            m.add(c, "CAP")
        for adj in e.adjectives:
            m.add(adj, "ADJ")
    for od in kb.offices.values():
        for t in od.ar:
            m.add(t, "OFF")
    return m


def alias_token_index(kb: Any, lang: Language) -> dict[str, tuple[str, ...]]:
    """Every token key of every dictionary alias → the types of the actors it names."""
    from marsad.matcher import phrase_keys

    idx: dict[str, set[str]] = {}
    for e in kb.entries.values():
        for alias in (*e.ar, *e.ambiguous):
            for k in phrase_keys(alias, lang):
                if len(k) > 1:
                    idx.setdefault(k, set()).add(e.type)
        for alias in e.capitals:
            for k in phrase_keys(alias, lang):
                if len(k) > 1:
                    idx.setdefault(k, set()).add("CAP")
    return {k: tuple(sorted(v)) for k, v in idx.items()}


def alias_first_tokens(kb: Any, lang: Language) -> set[str]:
    """The first token key of every dictionary alias (the words names start with)."""
    from marsad.matcher import phrase_keys

    out: set[str] = set()
    for e in kb.entries.values():
        for alias in (*e.ar, *e.ambiguous, *e.capitals):
            keys = phrase_keys(alias, lang)
            if keys and len(keys[0]) > 1:
                out.add(keys[0])
    return out


_CLITIC_ARTICLE_RE = re.compile(r"^(?:و|ف|ب|ك|ل|وب|ول|فب|فل|وك|فك)ال.|^(?:و|ف)?لل.")


def name_words(keys: Iterable[str], lang: Language) -> frozenset[str]:
    """Name words without their clitics: a key whose clitic-free form is itself in ``keys``
    is clitic + name (وبوش → بوش), and proclitic + article is never a name's start."""
    ks = set(keys)
    drop = {k for k in ks if any(s in ks for _, s in lang.prefix_variants(k, False)[1:])}
    drop |= {k for k in ks if _CLITIC_ARTICLE_RE.match(k)}
    return frozenset(ks - drop)


def kb_size(kb: Any) -> dict[str, int]:
    """How big the dictionary is (recorded with the model, since features depend on it)."""
    if kb is None:
        return {"actors": 0, "aliases": 0}
    return {"actors": len(kb.entries), "aliases": int(kb.matcher.size)}


# -------------------------------------------------------------------------- alignment
def words_doc(sentences: Sequence[Sequence[str]], lang: Language) -> tuple[Doc, list[tuple[int, int]]]:
    """A Doc of pre-tokenised sentences (one per line) and, per token, its (sentence, word).

    Training and evaluation data come as words; the model works on marsad's tokens, which
    split a few words further (``ق.م.``, ``1%``), so tags are moved between the two.
    """
    parts: list[str] = []
    starts: list[tuple[int, int, int]] = []  # (offset, sentence, word)
    sent_spans: list[tuple[int, int]] = []
    pos = 0
    for si, words in enumerate(sentences):
        s0 = pos
        for wi, w in enumerate(words):
            starts.append((pos, si, wi))
            parts.append(w)
            pos += len(w) + 1
        sent_spans.append((s0, max(s0, pos - 1)))
    # words joined by spaces, sentences by newlines
    chars = list(" ".join(parts))
    for (_, b), words in zip(sent_spans, sentences, strict=True):
        if words and b < len(chars):
            chars[b] = "\n"
    text = "".join(chars)
    tokens = tokenize(text, lang)
    word_of: list[tuple[int, int]] = []
    k = 0
    for t in tokens:
        while k + 1 < len(starts) and starts[k + 1][0] <= t.start:
            k += 1
        word_of.append((starts[k][1], starts[k][2]))
    sents: list[Sentence] = []
    ti = 0
    for a, b in sent_spans:
        lo = ti
        while ti < len(tokens) and tokens[ti].start < b:
            tokens[ti].sent = len(sents)
            ti += 1
        if ti > lo:
            sents.append(Sentence(len(sents), a, b, lo, ti))
    return Doc(text, lang, tokens, sents, []), word_of


def word_tags_to_tokens(tags: Sequence[Sequence[str]], word_of: Sequence[tuple[int, int]]) -> list[str]:
    """Project word BIO tags (per sentence) onto tokens: a word's later tokens continue it."""
    out = []
    prev = (-1, -1)
    for sw in word_of:
        t = tags[sw[0]][sw[1]]
        if sw == prev and t != "O":
            t = "I-" + t[2:]
        out.append(t)
        prev = sw
    return out


def token_tags_to_words(tags: Sequence[str], word_of: Sequence[tuple[int, int]], tokens: Sequence[Token],
                        lengths: Sequence[int]) -> list[list[str]]:
    """Project token tags back onto words: a word takes the tag of its first word token."""
    out = [["O"] * n for n in lengths]
    seen: set[tuple[int, int]] = set()
    for k, sw in enumerate(word_of):
        if sw in seen:
            continue
        last = k + 1 >= len(word_of) or word_of[k + 1] != sw
        if tokens[k].is_word or last:
            out[sw[0]][sw[1]] = tags[k]
            seen.add(sw)
    return out


# ------------------------------------------------------------------------------- model
@dataclass(frozen=True, slots=True)
class Entity:
    """A recognised name: tokens [tok_i, tok_j), characters [start, end) of ``doc.text``.

    ``start`` lies after a leading clitic (وبوتين → بوتين), so ``text`` is the name itself.
    """

    label: str  # PERS | LOC | ORG | MISC
    tok_i: int
    tok_j: int
    start: int
    end: int
    text: str


class NerModel:
    """A trained CRF, ready to tag documents fast (two passes, see Featurizer.document)."""

    def __init__(self, path: str | Path, lang: Language | None = None, kb: Any = None,
                 meta: dict[str, Any] | None = None) -> None:
        import pycrfsuite

        self.path = Path(path)
        self.lang = lang or get_language("ar")
        self.meta = meta or {}
        self.first_pass = self.meta.get("first_pass", "viterbi")
        if self.first_pass not in ("viterbi", "emission"):
            raise ValueError(f"{self.path}: unknown first pass {self.first_pass!r}")
        fv = self.meta.get("features_version", FEATURES_VERSION)
        if fv != FEATURES_VERSION:
            raise ValueError(f"{self.path}: model features version {fv}, this marsad uses "
                             f"{FEATURES_VERSION}: retrain it (make ner-model)")
        tagger = pycrfsuite.Tagger()
        try:
            tagger.open(str(self.path))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{self.path}: not a crfsuite model ({exc})") from exc
        info = tagger.info()
        self.labels: list[str] = list(tagger.labels())
        tagger.close()
        lab = {lb: i for i, lb in enumerate(self.labels)}
        n = len(self.labels)
        self._o = lab.get("O", 0)
        self.trans = np.zeros((n, n))
        for (a, b), w in info.transitions.items():
            self.trans[lab[a], lab[b]] = w
        attr_ix: dict[str, int] = {}
        rows: list[tuple[int, int, float]] = []
        for (attr, label), w in info.state_features.items():
            rows.append((attr_ix.setdefault(attr, len(attr_ix)), lab[label], w))
        # one row per attribute, and a last row of zeros for attributes the model lacks
        self._w = np.zeros((len(attr_ix) + 1, n))
        for r, c, w in rows:
            self._w[r, c] = w
        self._attr = attr_ix
        self.featurizer = Featurizer.build(self.lang, kb)
        self._pad = np.array([self._vec([f"{d:+d}PAD"]) for d in (-2, -1, 0, 1, 2)])
        self._bos = self._vec(["BOS"])
        self._eos = self._vec(["EOS"])
        self._dl = {t: self._vec(["dl=" + t]) for t in TYPES}
        self._lock = threading.Lock()
        self._slots = self._slot_index()
        self._reset_cache()
        starts = set(self.meta.get("entity_keys", ()))
        if kb is not None:
            starts |= alias_first_tokens(kb, self.lang)
        self.known_starts = name_words(starts, self.lang)

    def _vec(self, attrs: Sequence[str]) -> np.ndarray:
        get = self._attr.get
        return self._w[[get(a, -1) for a in attrs]].sum(0)

    def _reset_cache(self) -> None:
        self._gen = getattr(self, "_gen", 0) + 1
        self._ids: dict[str, int] = {}
        self._texts: list[str] = []
        self._emit = np.zeros((5, 1024, len(self.labels)))
        self._hits = np.zeros(1024, dtype=np.int64)

    def _slot_index(self) -> list[dict[str, int]]:
        """Attribute → weight row, per offset slot, keyed without the offset prefix (so the
        neighbours' attributes need no string building)."""
        out: list[dict[str, int]] = [{} for _ in range(5)]
        for attr, r in self._attr.items():
            for slot, p in ((0, "-2"), (1, "-1"), (3, "+1"), (4, "+2")):
                if attr.startswith(p):
                    out[slot][attr[2:]] = r
                    break
            else:
                out[2][attr] = r
        return out

    def _add_types(self, texts: Sequence[str]) -> None:
        """Compute the emission vectors of new token types (all at once; under the lock)."""
        n0 = len(self._texts)
        need = n0 + len(texts)
        cap = self._emit.shape[1]
        if need > cap:
            while cap < need:
                cap *= 2
            grown = np.zeros((5, cap, len(self.labels)))
            grown[:, :n0] = self._emit[:, :n0]
            hits = np.zeros(cap, dtype=np.int64)
            hits[:n0] = self._hits[:n0]
            self._emit, self._hits = grown, hits
        slots = self._slots
        zero = len(self._w) - 1
        rows: list[int] = []
        starts: list[int] = []
        type_attrs = self.featurizer.type_attrs
        for text in texts:
            own, ctx = type_attrs(text)
            for slot in range(5):
                get = slots[slot].get
                starts.append(len(rows))
                rows.append(zero)  # never an empty segment for reduceat
                rows.extend([get(a, zero) for a in (own if slot == 2 else ctx)])
        sums = np.add.reduceat(self._w[rows], starts).reshape(len(texts), 5, -1)
        self._emit[:, n0:need] = sums.transpose(1, 0, 2)
        for k, text in enumerate(texts):
            self._ids[text] = n0 + k
        self._texts.extend(texts)

    def _evict(self) -> None:
        """Keep the half of the cached types seen in the most documents (Zipf: they cover
        nearly all tokens), forget the rest; counts are halved so the cache can follow a
        change of topic."""
        n = len(self._texts)
        keep = np.argsort(-self._hits[:n], kind="stable")[: _MAX_TYPES // 2]
        self._gen += 1
        emit = np.zeros_like(self._emit)
        emit[:, : len(keep)] = self._emit[:, keep]
        hits = np.zeros_like(self._hits)
        hits[: len(keep)] = self._hits[keep] // 2
        texts = [self._texts[i] for i in keep.tolist()]
        self._ids = {t: i for i, t in enumerate(texts)}
        self._texts, self._emit, self._hits = texts, emit, hits

    def _missing(self, toks: Sequence[Token]) -> list[str]:
        ids = self._ids
        return list(dict.fromkeys(t.text for t in toks if t.text not in ids))

    def _type_ids(self, toks: Sequence[Token]) -> tuple[np.ndarray, np.ndarray]:
        """Cache rows of the tokens' types (adding the new ones) and the emission table."""
        gen = self._gen
        get = self._ids.get
        raw = [get(t.text) for t in toks]
        em = self._emit  # grows by copying, so a later array holds every earlier row
        if None in raw or gen != self._gen:
            with self._lock:  # the cache changes: one thread at a time (marsad serve)
                new = self._missing(toks)
                if new and len(self._texts) + len(new) > _MAX_TYPES:
                    self._evict()
                    new = self._missing(toks)
                if new:
                    self._add_types(new)
                get = self._ids.get
                raw = [get(t.text) for t in toks]
                em = self._emit
        ids = np.array(raw, dtype=np.intp)
        self._hits[ids] += 1  # documents each type was seen in (repeats count once)
        return ids, em

    # -- tagging -----------------------------------------------------------------------
    def emissions(self, doc: Doc, bounds: Sequence[tuple[int, int]],
                  gaz: dict[int, list[str]] | None = None) -> np.ndarray:
        """Per-token label scores (tokens × labels) from type and context features."""
        toks = doc.tokens
        n = len(toks)
        ids, em = self._type_ids(toks)
        sl = np.zeros(n, dtype=np.intp)
        sh = np.zeros(n, dtype=np.intp)
        for lo, hi in bounds:
            sl[lo:hi] = lo
            sh[lo:hi] = hi
        idx = np.arange(n)
        e = em[2, ids]
        for slot, d in ((0, -2), (1, -1), (3, 1), (4, 2)):
            j = idx + d
            ok = (j >= sl) & (j < sh)
            rows = em[slot, ids[np.clip(j, 0, n - 1)]]
            e += np.where(ok[:, None], rows, self._pad[slot])
        for lo, hi in bounds:
            e[lo] += self._bos
            e[hi - 1] += self._eos
        if gaz:
            get_attr = self._attr.get
            js: list[int] = []
            rs: list[int] = []
            for i, tags in gaz.items():
                for j, prefix in ((i, "gz="), (i - 1, "+1gz="), (i + 1, "-1gz=")):
                    if 0 <= j < n and sl[j] <= i < sh[j]:
                        for t in tags:
                            r = get_attr(prefix + t)
                            if r is not None:
                                js.append(j)
                                rs.append(r)
            if js:
                np.add.at(e, js, self._w[rs])
        return e

    def decode(self, e: np.ndarray, bounds: Sequence[tuple[int, int]]) -> np.ndarray:
        """Best label index per token: exact Viterbi over each sentence.  Tokens outside
        ``bounds`` get O.

        Done in C (``marsad._speedups``, a few microseconds an article) when that module was
        compiled at install time, else by :meth:`decode_numpy`; both give the same labels.
        """
        if _speedups is None:
            return self.decode_numpy(e, bounds)
        out = np.full(len(e), self._o, dtype=np.int64)
        bounds = [b for b in bounds if b[1] > b[0]]
        if bounds:
            lo = np.array([b[0] for b in bounds], dtype=np.int64)
            lens = np.array([b[1] - b[0] for b in bounds], dtype=np.int64)
            _speedups.viterbi(np.ascontiguousarray(e, dtype=np.float64), self.trans, lo, lens, out)
        return out

    def decode_numpy(self, e: np.ndarray, bounds: Sequence[tuple[int, int]]) -> np.ndarray:
        """:meth:`decode` in numpy, for installs without the compiled module.

        The sentences are sorted by length and stacked, so each step is one set of array
        operations over all sentences still running; a document costs as many steps as its
        longest sentence has tokens.
        """
        o = self._o
        out = np.full(len(e), o, dtype=np.intp)
        bounds = sorted((b for b in bounds if b[1] > b[0]), key=lambda b: b[0] - b[1])
        if not bounds:
            return out
        lo = np.array([b[0] for b in bounds])
        lens = np.array([b[1] - b[0] for b in bounds])
        nsent, lmax, nlab = len(bounds), int(lens[0]), len(self.labels)
        steps = np.arange(lmax)
        pos = np.minimum(lo[None, :] + steps[:, None], (lo + lens - 1)[None, :])
        em = e[pos]  # steps × sentences × labels (a short sentence repeats its last row)
        active = (lens[None, :] > steps[:, None]).sum(1).tolist()  # sentences running at each step
        t = self.trans
        back = np.empty((lmax, nsent, nlab), dtype=np.intp)
        final = np.empty((nsent, nlab))
        buf = np.empty((nsent, nlab, nlab))
        score = em[0].copy()
        prev = nsent
        for step in range(1, lmax):
            na = active[step]
            if na < prev:
                final[na:prev] = score[na:prev]
                score = score[:na]
                prev = na
            s = np.add(score[:, :, None], t, out=buf[:na])
            s.argmax(1, out=back[step, :na])
            score = s.max(1)
            score += em[step, :na]
        final[:prev] = score
        y = np.empty((lmax, nsent), dtype=np.intp)
        y[lens - 1, np.arange(nsent)] = final.argmax(1)
        ar = np.arange(nsent)
        for step in range(lmax - 1, 0, -1):
            na = active[step]
            y[step - 1, :na] = back[step, ar[:na], y[step, :na]]
        valid = steps[:, None] < lens[None, :]
        out[pos[valid]] = y[valid]
        return out

    def _label_ids(self, doc: Doc) -> np.ndarray:
        """Label indexes of every token: a first pass, then a second one with ``dl=`` features
        on the tokens whose name the first pass found elsewhere.

        The first pass is what the model was trained with (its record's ``first_pass``):
        ``emission``, each token's best label without transitions (cheap: one Viterbi search
        in all), or ``viterbi``, a full search (then only the touched sentences are searched
        again).
        """
        bounds = [(s.tok_start, s.tok_end) for s in doc.sentences if s.tok_end > s.tok_start]
        gaz = self.featurizer.gazetteer_tags(doc)
        e = self.emissions(doc, bounds, gaz)
        lab = self.labels
        if self.first_pass == "emission":
            # first pass: each token's best label on its own (no Viterbi), then one search
            first = [lab[k] for k in e.argmax(1).tolist()]
            dl = self.featurizer.document([t.key for t in doc.tokens], first, doc.key_positions)
            for i, f in dl.items():
                e[i] += self._dl[f[3:]]
            return self.decode(e, bounds)
        y = self.decode(e, bounds)
        labels = [lab[k] for k in y.tolist()]
        dl = self.featurizer.document([t.key for t in doc.tokens], labels, doc.key_positions)
        if not dl:
            return y
        touched = set()
        for i, f in dl.items():
            e[i] += self._dl[f[3:]]
            touched.add(doc.tokens[i].sent)
        again = [(s.tok_start, s.tok_end) for s in doc.sentences if s.i in touched and s.tok_end > s.tok_start]
        y2 = self.decode(e, again)
        for lo, hi in again:
            y[lo:hi] = y2[lo:hi]
        return y

    def tag_labels(self, doc: Doc) -> list[str]:
        """A BIO label for every token of ``doc``."""
        lab = self.labels
        return [lab[k] for k in self._label_ids(doc).tolist()]

    def tag(self, doc: Doc) -> list[Entity]:
        """The named entities of ``doc``."""
        if not doc.tokens:
            return []
        y = self._label_ids(doc)
        toks = doc.tokens
        lab = self.labels
        out: list[Entity] = []
        # walk only the labelled tokens; same chunking as entities() (seqeval's rules)
        cur: list[Any] | None = None  # [type, i, j]
        for k in np.flatnonzero(y != self._o).tolist():
            tag = lab[y[k]]
            bio, typ = tag[0], tag[2:]
            if (cur is not None and bio in ("I", "E") and cur[0] == typ and cur[2] == k
                    and toks[k].sent == toks[k - 1].sent):
                cur[2] = k + 1
                continue
            if cur is not None:
                out.append(self._entity(doc, *cur))
            cur = [typ, k, k + 1]
        if cur is not None:
            out.append(self._entity(doc, *cur))
        return out

    def _entity(self, doc: Doc, typ: str, i: int, j: int) -> Entity:
        toks = doc.tokens
        start = toks[i].start + self._clitic_chars(toks[i])
        end = toks[j - 1].end
        if start >= end:
            start = toks[i].start
        return Entity(typ, i, j, start, end, doc.text[start:end])

    def tag_sentences(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """BIO tags for pre-tokenised sentences (as in a CoNLL file) that form one document."""
        doc, word_of = words_doc(sentences, self.lang)
        lengths = [len(s) for s in sentences]
        if not doc.tokens:
            return [["O"] * n for n in lengths]
        return token_tags_to_words(self.tag_labels(doc), word_of, doc.tokens, lengths)

    def crfsuite_labels(self, doc: Doc) -> list[str]:
        """What :meth:`tag_labels` computes, done by crfsuite's own tagger (slow; for checking)."""
        import pycrfsuite

        f = self.featurizer
        gaz = f.gazetteer_tags(doc)
        seqs = []
        for s in doc.sentences:
            texts = [t.text for t in doc.tokens[s.tok_start:s.tok_end]]
            seqs.append(f.sequence(texts, f.context(s.tok_start, s.tok_end, gaz)))
        tagger = pycrfsuite.Tagger()
        tagger.open(str(self.path))
        try:
            first = ["O"] * len(doc.tokens)
            for s, xs in zip(doc.sentences, seqs, strict=True):
                if self.first_pass == "emission":  # attribute weights summed token by token
                    first[s.tok_start:s.tok_end] = self.emission_labels(xs)
                else:
                    first[s.tok_start:s.tok_end] = tagger.tag(xs)
            dl = f.document([t.key for t in doc.tokens], first)
            out = ["O"] * len(doc.tokens)
            for s, xs in zip(doc.sentences, seqs, strict=True):
                for i, a in dl.items():
                    if s.tok_start <= i < s.tok_end:
                        xs[i - s.tok_start] = [*xs[i - s.tok_start], a]
                out[s.tok_start:s.tok_end] = tagger.tag(xs)
        finally:
            tagger.close()
        return out

    def emission_labels(self, xs: Sequence[Sequence[str]]) -> list[str]:
        """Each token's best label from its attributes alone (the cheap first pass)."""
        lab = self.labels
        return [lab[int(self._vec(x).argmax())] for x in xs]

    def _clitic_chars(self, tok: Token) -> int:
        """How many characters of ``tok`` are a clitic in front of the name (0 if none).

        A name's first letter can look like a clitic (بوش, لبنان, وليد, كريم), so a prefix is
        stripped only when an article follows (بالصين → الصين, للأمم → لأمم as the dictionary
        matcher does), or when the rest is a known name word and the whole is not: و/ف before
        any such name (وبوتين), ب/ل only before names of four letters or more (لروسيا, not
        بسام → سام), and ك (rare before names) never.
        """
        k = tok.key
        known = self.known_starts
        if k in known:
            return 0
        n = 0
        for cand, stem in self.lang.prefix_variants(k, False)[1:]:
            pre = k[:cand]
            if stem.startswith("ال") and len(stem) > 3:
                ok = True
            elif stem not in known or "ك" in pre:
                ok = False
            else:
                ok = pre in ("و", "ف") or len(stem) >= 4
            if ok:
                n = max(n, cand)
        if not n:
            return 0
        if len(k) == len(tok.text):
            return n
        _, idx = self.lang.key_with_offsets(tok.text)
        return idx[n] if n < len(idx) else 0


def model_path() -> Path | None:
    """The shipped model file, or None when the package was built without it."""
    f = resources.files("marsad.models").joinpath(MODEL_FILE)
    return Path(str(f)) if f.is_file() else None


def load_model(path: str | Path, kb: Any = None, lang: Language | None = None) -> NerModel:
    """A model file and its training record (``<name>.json`` beside it, if present).

    The gazetteer features use ``kb`` (default: the shipped actor dictionary), as in training.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"no NER model at {p}")
    meta_p = p.with_suffix(".json")
    try:
        meta = json.loads(meta_p.read_text("utf-8")) if meta_p.is_file() else {}
    except (OSError, ValueError) as exc:
        raise ValueError(f"{meta_p}: unreadable model record ({exc})") from exc
    if kb is None and meta.get("gazetteer", True):
        from marsad.kb import default_kb

        kb = default_kb()
    return NerModel(p, lang, kb, meta)


@lru_cache(maxsize=1)
def load_default_model() -> NerModel | None:
    """The shipped model with the shipped actor dictionary; None when the file is missing."""
    p = model_path()
    if p is None:
        return None
    return load_model(p)
