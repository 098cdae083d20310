"""Language identification, enough to route articles: is this Arabic, and if not, what?

Arabic-script text is told apart from Persian and Urdu by the letters those languages add
(پ چ ژ گ ک ی / ٹ ڈ ڑ ں ے).  Other scripts are named by script, and Latin-script text by a small function-word
profile (English, French, Spanish, German, Italian, Portuguese, Turkish, Indonesian).
"""

from __future__ import annotations

import re

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


# Function words that are frequent in news prose and rare in the other languages listed.
# A profile, not a model: enough to label a non-Arabic article for routing and counting,
# identical on every install (an optional detector would make results depend on extras).
_STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset("the of and to in that is was for on with by said as at from have has are were it this which".split()),
    "fr": frozenset("le la les des et est une un du dans que pour sur pas au aux avec qui il ont été par".split()),
    "es": frozenset("el la los las del y en que por con una un para se es su al como fue lo".split()),
    "de": frozenset("der die das und ist nicht mit den dem von zu ein eine auf für sich des im wurde auch".split()),
    "it": frozenset("il di che la le gli della è per una un del con non sono nel alla anche dei".split()),
    "pt": frozenset("o os da do das dos que em para com uma um não foi no na ao pelo pela".split()),
    "tr": frozenset("ve bir bu da de için ile olarak olan çok daha gibi ama ancak kadar sonra ise".split()),
    "id": frozenset("yang dan di ini itu dengan untuk dari tidak akan pada dalam oleh adalah juga".split()),
}
_WORD = re.compile(r"[^\W\d_]+")
# Scripts that name their language well enough for routing (kana: Japanese, with the kanji
# it shares with Chinese counted for it when any kana is present).
_SCRIPTS: dict[str, re.Pattern[str]] = {
    "he": re.compile("[\u0590-\u05ff]"),
    "ru": re.compile("[\u0400-\u04ff]"),
    "zh": re.compile("[\u4e00-\u9fff]"),
    "el": re.compile("[\u0370-\u03ff]"),
    "hi": re.compile("[\u0900-\u097f]"),
    "ja": re.compile("[\u3040-\u30ff]"),
    "ko": re.compile("[\uac00-\ud7af]"),
}


def _other(sample: str) -> str:
    """Non-Arabic text: name the script, and for Latin script the language by function words."""
    head = sample[:2000]
    counts = {lang: len(pat.findall(head)) for lang, pat in _SCRIPTS.items()}
    if counts["ja"]:
        counts["ja"] += counts["zh"]  # kana with kanji is Japanese
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n >= 8:
        return script
    words = [w.lower() for w in _WORD.findall(head)]
    if len(words) < 3:
        return "und"
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORDS.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    return lang if best >= 2 and best / len(words) >= 0.08 else "und"
