"""The Arabic text layer: normalisation, clitics, tokens, sentences, quote regions, cleaning."""

from marsad.clean import clean_text
from marsad.lang.ar.clitics import prefix_variants
from marsad.lang.ar.normalize import compare_key, normalize_key
from marsad.text import make_doc


def test_normalize_key_folds_like_the_scorer():
    assert normalize_key("أَحْمَد") == "احمد"
    assert normalize_key("مستشفى") == "مستشفي"
    assert normalize_key("الجامعة") == "الجامعه"
    assert normalize_key("٢٠٢٣") == "2023"
    assert normalize_key("إيـــران") == "ايران"
    assert compare_key("«روسيا»، و”كوريا“") == "روسيا و كوريا"


def test_prefix_variants_for_names_keep_the_article():
    stems = {s for _, s in prefix_variants(normalize_key("وبيونغيانغ"))}
    assert "بيونغيانغ" in stems
    assert "الولايات" in {s for _, s in prefix_variants(normalize_key("للولايات"))}
    assert "هادي" not in {s for _, s in prefix_variants(normalize_key("الهادي"))}
    assert "زياره" in {s for _, s in prefix_variants(normalize_key("والزيارة"), True)}


def test_sentences_do_not_split_on_commas_or_inside_quotes(ar):
    text = "قال الوزير: “وصلنا. ثم عدنا”، وأضاف أن الأمر انتهى. وبعد ذلك، غادر د. أحمد المكان.\nسطر ثان"
    doc = make_doc(text, ar)
    sents = [doc.text[s.start:s.end] for s in doc.sentences]
    assert sents[0].startswith("قال الوزير") and sents[0].endswith("انتهى.")
    assert "د. أحمد" in sents[1]
    assert sents[-1] == "سطر ثان"
    for s in doc.sentences:
        for t in doc.tokens[s.tok_start:s.tok_end]:
            assert s.start <= t.start and t.end <= s.end


def test_mismatched_quote_marks_form_regions(ar):
    text = "وصلت إلى مستوى “جديد وإستراتيجي“ وتسعى و”تقنيات متطورة” و«نص»."
    doc = make_doc(text, ar)
    inner = [text[q.start:q.end] for q in doc.quote_regions]
    assert inner == ["جديد وإستراتيجي", "تقنيات متطورة", "نص"]


def test_numbers_stay_one_token(ar):
    doc = make_doc("بتكلفة ( 19.589.137 ) ريالا", ar)
    assert "19.589.137" in [t.text for t in doc.tokens]


def test_clean_removes_artifacts_and_keeps_offsets(ar):
    raw = "[ad_1]\r\nالسطر الأول\u00a0\u00a0هنا [ad_2] نص\r\nاقرأ أيضا: خبر آخر\r\n\r\nﻻ شيء\u200f\r\nSource link\r\n"
    c = clean_text(raw, ar)
    assert c.text == "السطر الأول هنا نص\nلا شيء"
    assert c.removed_lines == ("[ad_1]", "اقرأ أيضا: خبر آخر", "Source link")
    for i, ch in enumerate(c.text):
        if ch not in "\n لا":
            assert raw[c.to_raw(i)] == ch


def test_clean_keeps_sentences_that_merely_mention_artifact_words(ar):
    raw = "قال إنه سيشارك في المؤتمر على فيسبوك غدا.\nاقرأ"
    assert clean_text(raw, ar).text == raw


def test_suffix_variants_restore_ta_marbuta():
    from marsad.lang.ar.clitics import suffix_variants

    assert "زياره" in suffix_variants(normalize_key("زيارته"))
    assert "اتهمت" in suffix_variants(normalize_key("اتهمتها"))


def test_persian_yeh_in_arabic_text_is_still_arabic():
    from marsad.langid import detect

    assert detect("قال الوزير إلی جانب الرئيس إن العلاقات جيدة مع كوريا الشمالية اليوم") == "ar"
    assert detect("وزیر امور خارجه ایران گفت که این کشور به مذاکرات ادامه می‌دهد و پیشنهاد کرد") == "fa"


def test_share_line_with_telegram_is_an_artifact(ar):
    assert clean_text("نص الخبر هنا.\nشارك هذا الخبر: فيسبوك تويتر واتساب تيليغرام\n", ar).text == "نص الخبر هنا."


def test_non_arabic_languages_are_named_without_optional_detectors():
    """Routing labels are the same on every install: function words for Latin script, script otherwise."""
    from marsad.langid import detect

    assert detect("The minister said on Thursday that the talks with the delegation were useful.") == "en"
    assert detect("Le ministre a déclaré que les discussions avec la délégation sont utiles pour la paix.") == "fr"
    assert detect("El ministro dijo que las conversaciones con la delegación fueron útiles para la paz.") == "es"
    assert detect("Министр иностранных дел России прибыл в Пхеньян для переговоров") == "ru"
    assert detect("שר החוץ הגיע לביקור רשמי בבירה ונפגש עם ראש הממשלה") == "he"
    assert detect("xq zzv") == "und"
