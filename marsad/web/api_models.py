"""Request and response shapes of the JSON API, for validation (requests) and for the OpenAPI
schema at /openapi.json (responses).

Responses are the dicts that :mod:`marsad.queries` returns, passed through unchanged (the CLI's
``--json`` prints the same); the models below document their main fields and allow the rest,
so the schema cannot drift into a second definition of the data.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class AnalyzeRequest(BaseModel):
    """One article to analyse (the fields of ``marsad.model.Article``)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(..., description="The article text (Arabic). HTML is not parsed here: send its text.")
    title: str | None = None
    published: str | None = Field(None, description="ISO date YYYY-MM-DD: the anchor for relative times.",
                                  examples=["2023-10-19"])
    url: str | None = None
    source: str | None = Field(None, description="The outlet.")
    id: str | None = Field(None, description="Article id; default: a hash of the URL or the text.")
    store: bool = Field(False, description="Also write the article and its analysis to the store. Needs the "
                                           "server's write token (`marsad serve --token`) in the "
                                           "Authorization: Bearer header.")


class Period(_Open):
    period: str = Field(..., description="all, 1y, 90d, 30d or custom")
    since: str | None = None
    until: str | None = None
    anchor: str | None = Field(None, description="Latest publication day in the store: relative periods end here.")


class StatsPage(_Open):
    """The home page: what is in the store, and the most active pairs and actors of a period."""

    stats: dict[str, Any] = Field(..., description="queries.stats: articles, clusters, events, quotes, actors")
    period: Period
    top_dyads: list[dict[str, Any]] = Field(..., description="queries.top_dyads for the period")
    top_actors: list[dict[str, Any]] = Field(..., description="queries.top_actors for the period")


class ArticlesPage(_Open):
    """Search results (with ``q``: best first, with snippets) or the latest articles."""

    items: list[dict[str, Any]]
    limit: int
    offset: int
    has_more: bool


class DyadPage(_Open):
    """A pair of actors (countries or IGO:X): timeline in both directions, events and quotes."""

    a: dict[str, Any] = Field(..., description="code and name of A")
    b: dict[str, Any]
    timeline: dict[str, Any] = Field(..., description="queries.timeline(A, B): periods per direction with "
                                                      "counts by quad class and mode, Goldstein sum/mean")
    events: dict[str, Any] = Field(..., description="a_to_b and b_to_a: queries.events pages")
    quotes: dict[str, Any] = Field(..., description="a_about_b and b_about_a: queries.quotes pages")


class ActorPage(_Open):
    """queries.actor: who they met, their events over time, what they said and what was said about them."""

    actor: dict[str, Any]
    meetings: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    events: list[dict[str, Any]]
    quotes_by: list[dict[str, Any]]
    quotes_about: list[dict[str, Any]]


class ArticlePage(_Open):
    """queries.article: metadata, the full analysis (offsets into ``analysis.text``) and the duplicate cluster."""

    article: dict[str, Any]
    analysis: dict[str, Any] | None
    cluster: list[dict[str, Any]]


class AnalyzeResult(_Open):
    """The analysis (``Analysis.to_dict()``, as ``marsad analyze`` prints it) and whether it was stored."""

    analysis: dict[str, Any]
    stored: bool


class Problem(BaseModel):
    detail: str
