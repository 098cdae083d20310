"""The pipeline: Article → clean → text layer → extractors → Analysis.  One direction, no I/O.

``analyze`` is a pure function of the article and the resources, so the same call runs in a
test, a process pool worker or a Spark executor.
"""

from __future__ import annotations

import datetime as dt
import re

from marsad import langid
from marsad.actors import extract_actors
from marsad.clean import clean_text
from marsad.events import extract_events
from marsad.model import Analysis, Article
from marsad.quotes import extract_quotes
from marsad.resources import Resources, load_resources
from marsad.text import make_doc
from marsad.times import extract_times

_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})")

# Above this many characters an article is cut (with a warning): no news story is this long,
# and the extractors' cost grows with length.
MAX_CHARS = 2_000_000


class AnalysisError(ValueError):
    """An article that cannot be analysed at all (the message says why, in one line)."""


def parse_published(value: str | None) -> dt.date | None:
    """The publication date of ``value`` (ISO date, optionally with a time); None if absent.

    Raises AnalysisError for a value that is present but not a date.
    """
    if value is None or str(value).strip() == "":
        return None
    m = _DATE_RE.match(str(value))
    if not m:
        raise AnalysisError(f"published date {value!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise AnalysisError(f"published date {value!r} is not a valid date") from exc


def analyze(article: Article, res: Resources | None = None, *, force_language: bool = False,
            keep_unknown: bool = False) -> Analysis:
    """Analyse one article.

    Non-Arabic articles (by detection, or by ``article.language``) come back with the cleaned
    text and a warning but no extractions, unless ``force_language`` is set.
    ``keep_unknown`` also keeps events none of whose actors is known (sentence-level
    detection, as benchmarks/gsr.py measures it).
    """
    res = res or load_resources()
    article = article.with_id()
    published = parse_published(article.published)
    raw = article.text
    warnings: list[str] = []
    if len(raw) > MAX_CHARS:
        warnings.append(f"text cut to the first {MAX_CHARS} of {len(raw)} characters")
        raw = raw[:MAX_CHARS]
    cleaned = clean_text(raw, res.lang)
    text = cleaned.text
    language = article.language or langid.detect(text)
    base = {
        "id": article.id or "", "text": text, "title": article.title,
        "published": published.isoformat() if published else None,
        "language": language, "url": article.url, "source": article.source,
    }
    if not text.strip():
        return Analysis(**base, warnings=(*warnings, "empty text after cleaning"))
    if language != res.lang.code and not force_language:
        return Analysis(**base, warnings=(*warnings, f"language is {language!r}, not {res.lang.code!r}: not analysed"))
    doc = make_doc(text, res.lang)
    times = extract_times(doc, published)
    actors = extract_actors(doc, published, res)
    quotes = extract_quotes(doc, actors, res)
    events = extract_events(doc, actors, quotes, times, published, res, keep_unknown=keep_unknown)
    return Analysis(
        **base,
        actors=tuple(actors.actors),
        quotes=tuple(quotes),
        events=tuple(events),
        times=tuple(times),
        warnings=tuple(warnings),
    )
