"""Language identification, enough to route articles: is this Arabic, and if not, what?

Arabic-script text is told apart from Persian and Urdu by the letters those languages add
(پ چ ژ گ ک ی / ٹ ڈ ڑ ں ے).  Other scripts are named by lingua (restricted to a handful of
languages so that it stays small and fast) when it is installed, else by script.
"""

from __future__ import annotations

from functools import lru_cache

_PERSIAN = set("پچژگکی")
_URDU = set("ٹڈڑںےۓھ")


def _is_arabic_letter(ch: str) -> bool:
    o = ord(ch)
    return 0x0620 <= o <= 0x064A or 0x066E <= o <= 0x06D3 or 0x06FA <= o <= 0x06FF


def arabic_ratio(text: str) -> float:
    """Share of letters that are Arabic-script letters."""
    letters = 0
    arabic = 0
    for ch in text[:20000]:
        if ch.isalpha():
            letters += 1
            if _is_arabic_letter(ch):
                arabic += 1
    return arabic / letters if letters else 0.0


def detect(text: str) -> str:
    """ISO 639-1 code ('ar', 'fa', 'ur', 'en', ...) or 'und' when there is too little text."""
    sample = text[:20000]
    letters = [ch for ch in sample if ch.isalpha()]
    if len(letters) < 8:
        return "und"
    arabic = [ch for ch in letters if _is_arabic_letter(ch)]
    if len(arabic) / len(letters) >= 0.5:
        n = len(arabic)
        fa = sum(ch in _PERSIAN for ch in arabic)
        ur = sum(ch in _URDU for ch in arabic)
        if ur / n > 0.01 and ur >= 3:
            return "ur"
        if fa / n > 0.015 and fa >= 3:
            return "fa"
        return "ar"
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
