"""Everything the pipeline needs besides the text, loaded once and shared read-only.

Stages are pure functions of (doc, metadata, resources).  A process pool worker or a Spark
executor builds one ``Resources`` and reuses it for every article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from marsad.kb import ActorKB, default_kb, load_kb
from marsad.lang import Language, get_language


@dataclass
class Resources:
    lang: Language
    kb: ActorKB
    use_ner: bool = True
    _ner: Any = field(default=None, repr=False)

    @property
    def ner(self) -> Any:
        """The trained NER model, or None when disabled or not shipped."""
        if not self.use_ner:
            return None
        if self._ner is None:
            try:
                from marsad import ner
            except ImportError:  # an install without the NER module: rules and dictionary only
                self._ner = False
            else:
                self._ner = ner.load_default_model() or False
        return self._ner or None


def load_resources(actor_files: Sequence[str | Path] = (), lang: str = "ar", use_ner: bool = True,
                   builtin_actors: bool = True) -> Resources:
    """Resources with the shipped dictionaries plus the user's actor files."""
    if not actor_files and lang == "ar" and builtin_actors:
        return _default(use_ner)
    language = get_language(lang)
    return Resources(language, load_kb(actor_files, language, builtin=builtin_actors), use_ner)


@lru_cache(maxsize=2)
def _default(use_ner: bool) -> Resources:
    return Resources(get_language("ar"), default_kb(), use_ner)
