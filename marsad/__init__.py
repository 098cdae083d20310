"""marsad (مرصد): Arabic news → event data, every item traceable to its sentence.

    >>> from marsad import analyze, Article
    >>> a = analyze(Article(text="...", published="2023-10-19"))
"""

from marsad.model import Actor, Analysis, Article, Event, Quote, Span, TimeExpr
from marsad.pipeline import analyze

__version__ = "0.1.0"
__all__ = ["Actor", "Analysis", "Article", "Event", "Quote", "Span", "TimeExpr", "analyze"]
