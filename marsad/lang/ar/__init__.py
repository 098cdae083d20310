"""Arabic: normalisation, clitics, sentence rules and the lexicons in ``data/``."""

from marsad.lang.ar.clitics import prefix_variants, strip_article, suffix_variants
from marsad.lang.ar.normalize import key_with_offsets, normalize_key
from marsad.lang.base import Language

LANGUAGE = Language(
    code="ar",
    package="marsad.lang.ar",
    normalize_key=normalize_key,
    key_with_offsets=key_with_offsets,
    prefix_variants=prefix_variants,
    suffix_variants=suffix_variants,
    strip_article=strip_article,
    sentence_end=".!?؟",
    # A period after these does not end a sentence: د. (doctor), م. (engineer / AD), ...
    abbreviations=frozenset("ا ب ت ث ج ح خ د ذ ر ز س ش ص ض ط ظ ع غ ف ق ك ل م ن ه و ي أ إ".split()
                            + ["ص.ب", "ق.م", "Mr", "Dr", "St", "No"]),
)
