"""What every source yields: an article with its location, or a located error."""

from __future__ import annotations

from dataclasses import dataclass

from marsad.model import Article


@dataclass(frozen=True, slots=True)
class Item:
    """One thing read from a source.

    ``where`` says where it came from, precisely enough to find it again: a path, a line
    (``dump.jsonl:12``), a list index (``day.json[3]``), a zip member (``a.zip!x.json[3]``), a
    WARC record (``crawl.warc.gz#7@1234``) or a feed entry URL.  Exactly one of ``article``
    and ``error`` is set.  ``html`` means ``article.text`` is an HTML page whose main text
    is still to be extracted (in a worker: trafilatura is the slow part of reading HTML).
    ``known`` marks a feed entry that is already stored and was therefore not fetched.
    ``crawl_date`` (a WARC record's date) is the publication date to use when the page
    itself names none.
    """

    where: str
    article: Article | None = None
    error: str | None = None
    html: bool = False
    warnings: tuple[str, ...] = ()
    known: bool = False
    crawl_date: str | None = None

    def __init__(self, where: str, article: Article | None = None, *, error: str | None = None,
                 html: bool = False, warnings: tuple[str, ...] = (), known: bool = False,
                 crawl_date: str | None = None) -> None:
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "article", article)
        object.__setattr__(self, "error", error)
        object.__setattr__(self, "html", html)
        object.__setattr__(self, "warnings", warnings)
        object.__setattr__(self, "known", known)
        object.__setattr__(self, "crawl_date", crawl_date)
        if (article is None) == (error is None) and not known:
            raise ValueError("an Item has either an article or an error")
