"""Language identification, enough to route articles: is this Arabic, and if not, what?

Arabic-script text is told apart from Persian and Urdu by the letters those languages add
(پ چ ژ گ ک ی / ٹ ڈ ڑ ں ے).  Other scripts are named by lingua (restricted to a handful of
languages so that it stays small and fast) when it is installed, else by script.
"""

from __future__ import annotations

import re
from functools import lru_cache

_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LETTER = re.compile(r"[^\W\d_]")
_PERSIAN_RE = re.compile("[پچژگ]")  # letters Arabic does not use
_PERSIAN_YEH_KAF = re.compile("[یک]")  # Persian yeh/keheh: also typed in Arabic on Persian keyboards
_ARABIC_ONLY = re.compile("[ةيىؤ]")  # ta marbuta, Arabic yeh, alef maksura, waw-hamza
_URDU_RE = re.compile("[ٹڈڑںےۓھ]")
SAMPLE = 3000  # characters looked at: enough to decide, cheap on long articles


def arabic_ratio(text: str) -> float:
    """Share of letters that are Arabic-script letters (in the first 20,000 characters)."""
    sample = text[:20000]
    letters = len(_LETTER.findall(sample))
    return len(_ARABIC_LETTER.findall(sample)) / letters if letters else 0.0


def detect(text: str) -> str:
    """ISO 639-1 code ('ar', 'fa', 'ur', 'en', ...) or 'und' when there is too little text."""
    sample = text[:SAMPLE]
    n = len(_ARABIC_LETTER.findall(sample))
    # Arabic letters against all non-space characters: cheaper than classifying every
    # character as a letter, and Arabic prose is >80% letters.
    visible = len(sample) - sample.count(" ") - sample.count("\n")
    if n >= 8 and n / max(1, visible) >= 0.4:
        ur = len(_URDU_RE.findall(sample))
        if ur / n > 0.01 and ur >= 3:
            return "ur"
        # Persian: its own letters, or Persian yeh/keheh where Arabic's own letters are rare
        fa = len(_PERSIAN_RE.findall(sample)) + 0.5 * len(_PERSIAN_YEH_KAF.findall(sample))
        arabic_only = len(_ARABIC_ONLY.findall(sample))
        if fa >= 3 and fa / n > 0.01 and fa > arabic_only:
            return "fa"
        return "ar"
    if len(_LETTER.findall(sample)) < 8:
        return "und"
    return _other(sample)


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:  # pragma: no cover - lingua is optional
        return None
    langs = [Language.ENGLISH, Language.FRENCH, Language.SPANISH, Language.GERMAN, Language.TURKISH,
             Language.RUSSIAN, Language.HEBREW, Language.CHINESE, Language.PORTUGUESE, Language.ITALIAN]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _other(sample: str) -> str:
    det = _detector()
    if det is not None:
        lang = det.detect_language_of(sample[:2000])
        if lang is not None:
            return lang.iso_code_639_1.name.lower()
    if any("\u0590" <= ch <= "\u05ff" for ch in sample):
        return "he"
    if any("\u0400" <= ch <= "\u04ff" for ch in sample):
        return "ru"
    return "und"
