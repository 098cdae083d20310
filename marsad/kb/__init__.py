"""The actor knowledge base: who exists, what they are called in Arabic, what they held when.

Data files (YAML, format in docs/actor-dictionary.md) ship in ``marsad/kb/data/``; users add
their own with ``--actors``.  Loading compiles every alias into a :class:`PhraseMatcher` so
that finding all known actors in a document is one pass over its tokens.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from marsad.lang import Language, get_language
from marsad.lang.base import load_yaml
from marsad.matcher import PhraseMatcher, phrase_keys

ACTOR_TYPES = {"PER", "ORG", "GPE", "LOC"}
ROLES = {
    "GOV", "MIL", "REB", "OPP", "MED", "IGO", "BUS", "PTY", "JUD", "LEG", "CVL", "REL", "EDU",
    "NGO", "HLH", "UAF", "SPY", "COP", "ELI", "LAB", "AGR", "REF", "CRM", "DEV", "ENV", "SPT", "INS",
}
KB_FILES = (
    "countries.yaml", "places.yaml", "igos.yaml", "organizations.yaml", "people.yaml",
    # people split by region (one file per desk keeps reviews and merges small)
    "people-igo.yaml", "people-gulf.yaml", "people-levant.yaml", "people-africa.yaml",
    "people-iran-israel-turkey.yaml", "people-americas.yaml", "people-europe.yaml", "people-asia.yaml",
)
# Keys an entry may have (docs/actor-dictionary.md); anything else is reported, not ignored.
ENTRY_FIELDS = frozenset({
    "id", "name", "type", "country", "role", "wikidata", "ar", "ambiguous", "default_for", "offices",
    "capitals", "adjectives", "parent", "note",
})
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")


class KBError(ValueError):
    """A malformed actor file: the message names the file and entry."""


@dataclass(frozen=True)
class Office:
    office: str
    country: str | None
    start: str | None  # ISO date or None (unknown / open)
    end: str | None

    def covers(self, day: str | None) -> bool:
        """Whether the office was held on ``day`` (ISO date); unknown dates cover everything."""
        if not day:
            return self.end is None
        if self.start and day < _pad(self.start, low=True):
            return False
        if self.end and day > _pad(self.end, low=False):
            return False
        return True


@dataclass(frozen=True)
class ActorEntry:
    id: str
    name: str
    type: str
    country: str | None
    role: str | None = None
    wikidata: str | None = None
    ar: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    offices: tuple[Office, ...] = ()
    capitals: tuple[str, ...] = ()
    adjectives: tuple[str, ...] = ()
    parent: str | None = None
    source_file: str = ""
    # ambiguous aliases this actor takes when the document does not decide (عمان → Oman)
    default_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class AliasHit:
    """What an alias match means: which actor, and how the alias names it."""

    actor_id: str
    kind: str  # name | ambiguous | capital | adjective
    alias: str


@dataclass
class OfficeDef:
    id: str
    ar: tuple[str, ...]
    role: str = "GOV"
    type: str = "PER"
    igo: str | None = None  # for IGO offices (UN secretary-general): the IGO country code
    scope: str = "country"  # country | igo | none


@dataclass
class ActorKB:
    lang: Language
    entries: dict[str, ActorEntry] = field(default_factory=dict)
    offices: dict[str, OfficeDef] = field(default_factory=dict)
    matcher: PhraseMatcher[AliasHit] = field(init=False)
    office_matcher: PhraseMatcher[str] = field(init=False)
    adjective_matcher: PhraseMatcher[str] = field(init=False)
    _holders: dict[tuple[str, str | None], list[tuple[Office, str]]] = field(default_factory=dict)
    _by_country: dict[str | None, list[str]] = field(default_factory=dict)
    _defaults: dict[tuple[str, ...], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.matcher = PhraseMatcher(self.lang, article=False)
        self.office_matcher = PhraseMatcher(self.lang, article=False)
        self.adjective_matcher = PhraseMatcher(self.lang, article=False)

    # -- building -------------------------------------------------------------------
    def add_entries(self, entries: Iterable[ActorEntry], override: bool = False, compile: bool = True) -> None:
        """Add entries (``override``: a later entry replaces one with the same id); with
        ``compile=False`` the matchers are rebuilt only by a later call (load_kb adds every
        file first and compiles once)."""
        for e in entries:
            if e.id in self.entries and not override:
                self.errors.append(f"{e.source_file}: duplicate id {e.id!r} (also in {self.entries[e.id].source_file})")
                continue
            self.entries[e.id] = e
        if compile:
            self._compile()

    def _compile(self) -> None:
        self.matcher = PhraseMatcher(self.lang, article=False)
        self.adjective_matcher = PhraseMatcher(self.lang, article=False)
        self._holders = defaultdict(list)
        self._by_country = defaultdict(list)
        self._defaults = {}
        for e in self.entries.values():
            # Aliases are compared by key: "عمّان" in ambiguous covers "عمان" among the
            # capitals, and two spellings that fold alike (أوريدو, اوريدو) give one hit, not
            # two hits for the same actor (which a linker would read as a tie).
            amb = {self.key(a) for a in e.ambiguous}
            seen: set[tuple[str, ...]] = set()
            for aliases, kind in ((e.ar, "name"), (e.ambiguous, "ambiguous"), (e.capitals, "capital")):
                for a in aliases:
                    k = self.key(a)
                    if not k or k in seen:
                        continue
                    seen.add(k)
                    # an ambiguous capital (عمان: Amman or Oman) is matched as ambiguous only
                    self.matcher.add_keys(k, AliasHit(e.id, "ambiguous" if k in amb else kind, a))
            for a in e.default_for:
                self._defaults.setdefault(self.key(a), e.id)
            for adj in e.adjectives:
                self.adjective_matcher.add(adj, e.id)
            for o in e.offices:
                self._holders[(o.office, o.country)].append((o, e.id))
            self._by_country[e.country].append(e.id)
        self.office_matcher = PhraseMatcher(self.lang, article=False)
        for od in self.offices.values():
            for t in od.ar:
                self.office_matcher.add(t, od.id)

    def key(self, phrase: str) -> tuple[str, ...]:
        """The matching key of an alias: its tokens' normalised keys."""
        return _alias_key(phrase, self.lang)

    # -- queries --------------------------------------------------------------------
    def get(self, actor_id: str) -> ActorEntry | None:
        return self.entries.get(actor_id)

    def default_for(self, alias: str) -> ActorEntry | None:
        """The actor an ambiguous alias means when the document gives no evidence either
        way (``default_for`` in the data; docs/linking.md), or None."""
        aid = self._defaults.get(self.key(alias))
        return self.entries.get(aid) if aid else None

    def lookup(self, text: str) -> list[ActorEntry]:
        """Actors whose alias (or capital/adjective) is exactly ``text``, clitics allowed."""
        from marsad.text import make_doc

        doc = make_doc(text.strip(), self.lang)
        n = len(doc.tokens)
        out: list[ActorEntry] = []
        for m in self.matcher.find_all(doc):
            if m.i == 0 and m.j == n:
                out.extend(self.entries[h.actor_id] for h in m.payloads)
        if not out:
            for m in self.adjective_matcher.find_all(doc):
                if m.i == 0 and m.j == n:
                    out.extend(self.entries[a] for a in m.payloads)
        return list(dict.fromkeys(out))

    def holders(self, office: str, country: str | None, day: str | None) -> list[ActorEntry]:
        """Who held ``office`` for ``country`` on ``day`` (ISO date)."""
        out = []
        for o, aid in self._holders.get((office, country), []):
            if o.covers(day):
                out.append(self.entries[aid])
        return out

    def by_country(self, country: str | None) -> list[ActorEntry]:
        return [self.entries[i] for i in self._by_country.get(country, [])]

    def country_entry(self, code: str) -> ActorEntry | None:
        e = self.entries.get(code)
        return e if e and e.type == "GPE" else None

    def __len__(self) -> int:
        return len(self.entries)


@lru_cache(maxsize=100_000)
def _alias_key(phrase: str, lang: Language) -> tuple[str, ...]:
    # the same aliases are keyed again for every load and for the validator: remember them
    return tuple(phrase_keys(phrase, lang))


def _pad(d: str, low: bool) -> str:
    if len(d) == 4:
        return d + ("-01-01" if low else "-12-31")
    if len(d) == 7:
        return d + ("-01" if low else "-31")
    return d


def _as_tuple(v: Any) -> tuple[str, ...]:
    if v is None:
        return ()
    if isinstance(v, str):
        return (v,)
    return tuple(str(x) for x in v if x is not None and str(x).strip())


def _date(v: Any, where: str, errors: list[str]) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    if not _DATE_RE.match(s):
        errors.append(f"{where}: malformed date {s!r} (want YYYY, YYYY-MM or YYYY-MM-DD)")
        return None
    if len(s) == 10:
        try:
            dt.date.fromisoformat(s)
        except ValueError:
            errors.append(f"{where}: impossible date {s!r}")
            return None
    return s


def parse_entries(data: Any, source: str, errors: list[str]) -> list[ActorEntry]:
    """Turn one YAML file's content into entries, appending problems to ``errors``."""
    if data is None:
        return []
    if isinstance(data, dict) and "actors" in data:
        data = data["actors"]
    if not isinstance(data, list):
        errors.append(f"{source}: expected a list of actor entries")
        return []
    out: list[ActorEntry] = []
    for k, d in enumerate(data):
        where = f"{source}[{k}]"
        if not isinstance(d, dict):
            errors.append(f"{where}: entry is not a mapping")
            continue
        aid = str(d.get("id") or "").strip()
        name = str(d.get("name") or "").strip()
        where = f"{source}: {aid or name or k}"
        unknown = sorted(str(x) for x in d if x not in ENTRY_FIELDS)
        if unknown:
            errors.append(f"{where}: unknown field(s) {', '.join(unknown)}")
        if not aid or not _ID_RE.match(aid):
            errors.append(f"{where}: missing or malformed id")
            continue
        if not name:
            errors.append(f"{where}: missing name")
            continue
        typ = str(d.get("type") or "").upper()
        if typ not in ACTOR_TYPES:
            errors.append(f"{where}: type {typ!r} is not one of PER ORG GPE LOC")
            continue
        offices = []
        for o in d.get("offices") or []:
            if not isinstance(o, dict) or not o.get("office"):
                errors.append(f"{where}: malformed office {o!r}")
                continue
            start = _date(o.get("from"), where, errors)
            end = _date(o.get("to"), where, errors)
            if start and end and _pad(start, True) > _pad(end, False):
                errors.append(f"{where}: office {o['office']} ends ({end}) before it starts ({start})")
            offices.append(Office(str(o["office"]), o.get("country") or d.get("country"), start, end))
        out.append(ActorEntry(
            id=aid, name=name, type=typ, country=d.get("country") or None,
            role=(str(d["role"]).upper() if d.get("role") else None),
            wikidata=d.get("wikidata") or None,
            ar=_as_tuple(d.get("ar")), ambiguous=_as_tuple(d.get("ambiguous")),
            offices=tuple(offices), capitals=_as_tuple(d.get("capitals")),
            adjectives=_as_tuple(d.get("adjectives")), parent=d.get("parent") or None,
            source_file=source, default_for=_as_tuple(d.get("default_for")),
        ))
    return out


def _read_package_file(name: str) -> str | None:
    f = resources.files("marsad.kb").joinpath("data", name)
    return f.read_text("utf-8") if f.is_file() else None


def parse_offices(data: Any, errors: list[str]) -> dict[str, OfficeDef]:
    out: dict[str, OfficeDef] = {}
    for k, d in enumerate(data or []):
        if not isinstance(d, dict) or not d.get("id"):
            errors.append(f"offices.yaml[{k}]: malformed office")
            continue
        out[d["id"]] = OfficeDef(
            d["id"], _as_tuple(d.get("ar")), d.get("role", "GOV"), d.get("type", "PER"),
            d.get("igo"), d.get("scope", "igo" if d.get("igo") else "country"),
        )
    return out


def load_kb(extra_files: Sequence[str | Path] = (), lang: Language | None = None,
            builtin: bool = True) -> ActorKB:
    """The shipped actor dictionary plus the user's files (later files override by id).

    ``builtin=False`` loads only the offices and the given files (for tests and for users
    who want their own dictionary alone).
    """
    lang = lang or get_language("ar")
    kb = ActorKB(lang)
    text = _read_package_file("offices.yaml")
    kb.offices = parse_offices(load_yaml(text) if text else [], kb.errors)
    if builtin:
        entries, errors = _builtin_entries()
        kb.errors.extend(errors)
        kb.add_entries(entries, compile=False)
    for path in extra_files:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KBError(f"cannot read actor file {p}: {exc}") from exc
        try:
            data = load_yaml(text)
        except Exception as exc:  # yaml.YAMLError and friends
            raise KBError(f"{p}: not valid YAML: {str(exc).splitlines()[0]}") from exc
        errs: list[str] = []
        user = parse_entries(data, str(p), errs)
        seen: set[str] = set()
        for e in user:
            if e.id in seen:  # a later entry would silently replace the earlier one
                errs.append(f"{p}: duplicate id {e.id!r}")
            seen.add(e.id)
        if errs:
            raise KBError(errs[0] if len(errs) == 1 else f"{errs[0]} (and {len(errs) - 1} more problems)")
        kb.add_entries(user, override=True, compile=False)
    kb._compile()
    return kb


@lru_cache(maxsize=1)
def _builtin_entries() -> tuple[tuple[ActorEntry, ...], tuple[str, ...]]:
    """The shipped files, parsed once per process (entries are immutable, so every
    ActorKB built with user files on top can share them)."""
    errors: list[str] = []
    entries: list[ActorEntry] = []
    for name in KB_FILES:
        text = _read_package_file(name)
        if text is None:
            continue
        entries.extend(parse_entries(load_yaml(text), name, errors))
    return tuple(entries), tuple(errors)


@lru_cache(maxsize=4)
def default_kb() -> ActorKB:
    return load_kb()


def igo_codes(kb: ActorKB) -> set[str]:
    """The ``IGO:<ACRONYM>`` codes the dictionary declares: those of its top-level IGO entries
    (the UN itself, not its organs).  A code used anywhere else must be one of these."""
    return {e.country for e in kb.entries.values()
            if e.country and e.country.startswith("IGO:") and e.role == "IGO" and e.parent is None}


def validate(kb: ActorKB, known_countries: set[str] | None = None) -> list[str]:
    """Every problem in the loaded dictionary: the validator test asserts this is empty."""
    errors = list(kb.errors)
    states = {e.id for e in kb.entries.values() if e.type == "GPE" and e.id == e.country}
    countries = known_countries or states
    igos = igo_codes(kb)
    for e in kb.entries.values():
        where = f"{e.source_file}: {e.id}"
        c = e.country
        if c is not None and c not in countries and c not in igos:
            hint = " (no top-level IGO entry declares it)" if c.startswith("IGO:") else ""
            errors.append(f"{where}: unknown country code {c!r}{hint}")
        if e.role and e.role not in ROLES:
            errors.append(f"{where}: unknown role {e.role!r}")
        if e.wikidata and not re.fullmatch(r"Q[1-9][0-9]*", str(e.wikidata)):
            errors.append(f"{where}: malformed wikidata id {e.wikidata!r}")
        for o in e.offices:
            if o.office not in kb.offices:
                errors.append(f"{where}: office {o.office!r} is not defined in offices.yaml")
            if o.country and o.country not in countries and o.country not in igos:
                errors.append(f"{where}: office country {o.country!r} unknown")
        if e.parent and e.parent not in kb.entries:
            errors.append(f"{where}: parent {e.parent!r} not found")
        if not e.ar and e.type != "GPE":
            errors.append(f"{where}: no Arabic alias")
        if e.adjectives and e.id not in states:
            # the adjective matcher's payload is read as a country code by the linker
            errors.append(f"{where}: adjectives are for states only (id == country)")
        amb = {kb.key(a) for a in e.ambiguous}
        for a in e.default_for:
            if kb.key(a) not in amb:
                errors.append(f"{where}: default_for {a!r} is not listed under ambiguous")
        for a in (*e.ar, *e.ambiguous, *e.capitals, *e.adjectives):
            if not any(ch.isalnum() for ch in a):
                errors.append(f"{where}: empty or punctuation-only alias {a!r}")
    # alias collisions: the same key for two actors must be declared ambiguous by all of them
    owners: dict[tuple[str, ...], list[tuple[str, bool]]] = defaultdict(list)
    adjectives: dict[tuple[str, ...], set[str]] = defaultdict(set)
    defaults: dict[tuple[str, ...], set[str]] = defaultdict(set)
    for e in kb.entries.values():
        amb = {kb.key(a) for a in e.ambiguous}
        for key in {kb.key(a) for a in (*e.ar, *e.ambiguous, *e.capitals)}:
            if key:
                owners[key].append((e.id, key in amb))
        for a in e.adjectives:
            adjectives[kb.key(a)].add(e.id)
        for a in e.default_for:
            defaults[kb.key(a)].add(e.id)
    for key, who in owners.items():
        ids = {w for w, _ in who}
        if len(ids) > 1 and not all(flag for _, flag in who):
            errors.append(f"alias {' '.join(key)!r} belongs to {sorted(ids)} but is not marked ambiguous by all")
    for key, ids in adjectives.items():
        if len(ids) > 1:
            errors.append(f"adjective {' '.join(key)!r} belongs to {sorted(ids)}")
    for key, ids in defaults.items():
        if len(ids) > 1:
            errors.append(f"alias {' '.join(key)!r} is the default reading of {sorted(ids)}: at most one")
    return errors
