"""Quotes: one sentence (written for these tests) per construction, plus the seed article.

Everything runs through the real pipeline (cleaning, text layer, actor dictionary), so a
speaker is whatever the actor stage and the quote stage make of the sentence together.
Speaker checks use the surface text of the speaker (what the sentence says) and, where the
shipped dictionary knows the actor, its canonical name and country.
"""

from __future__ import annotations

import pytest

from marsad.lang.ar.normalize import compare_key
from marsad.model import Analysis, Article, Quote
from marsad.pipeline import analyze


def run(text: str, resources) -> Analysis:
    return analyze(Article(text, published="2024-03-10"), resources, force_language=True)


def quotes(text: str, resources) -> list[Quote]:
    a = run(text, resources)
    for q in a.quotes:  # every quote and speaker span is an exact substring
        assert a.text[q.start:q.end] == q.text
        for ref in (q.speaker, q.via):
            if ref is not None and ref.mention is not None:
                m = ref.mention
                assert a.text[m.start:m.end] == m.text
    return list(a.quotes)


def same(a: str | None, b: str) -> bool:
    return compare_key(a or "") == compare_key(b)


def speaker_text(q: Quote) -> str | None:
    return q.speaker.mention.text if q.speaker and q.speaker.mention else None


# -- direct speech -------------------------------------------------------------------


def test_colon_and_marks(resources):
    (q,) = quotes("وقال وزير المالية الأردني في مؤتمر صحفي: «سنخفض الضرائب على المواد الغذائية العام المقبل».", resources)
    assert q.kind == "direct"
    assert q.text == "سنخفض الضرائب على المواد الغذائية العام المقبل"
    assert q.cue == "قال"
    assert speaker_text(q) == "وزير المالية الأردني"
    assert q.speaker.country == "JOR"


def test_colon_without_marks(resources):
    (q,) = quotes("وقال السفير: العلاقات بين البلدين تمر بأفضل مراحلها منذ عقود.", resources)
    assert q.kind == "direct"
    assert q.text == "العلاقات بين البلدين تمر بأفضل مراحلها منذ عقود"
    assert speaker_text(q) == "السفير"


def test_marks_right_after_the_subject(resources):
    (q,) = quotes('وقال مدرب الفريق للصحفيين بعد المباراة "لعبنا بشكل جيد لكن الحظ لم يحالفنا".', resources)
    assert q.kind == "direct"
    assert q.text == "لعبنا بشكل جيد لكن الحظ لم يحالفنا"
    assert speaker_text(q) == "مدرب الفريق"


def test_attribution_after_the_quote(resources):
    (q,) = quotes("«لن نتراجع عن مطالبنا مهما طال الانتظار»، قال رئيس النقابة للصحفيين.", resources)
    assert q.kind == "direct"
    assert q.text == "لن نتراجع عن مطالبنا مهما طال الانتظار"
    assert speaker_text(q) == "رئيس النقابة"


def test_according_to_after_the_quote(resources):
    (q,) = quotes("«الوضع الإنساني في المدينة كارثي ويزداد سوءا» بحسب منظمة الصحة العالمية.", resources)
    assert q.text == "الوضع الإنساني في المدينة كارثي ويزداد سوءا"
    assert q.speaker is not None and q.speaker.country == "IGO:WHO" or same(speaker_text(q), "منظمة الصحة العالمية")


def test_quote_marks_after_a_complementiser(resources):
    (q,) = quotes("وقال المتحدث إن «الحكومة لن تسمح بأي تجاوز للقانون مهما كان مصدره».", resources)
    assert q.kind == "direct"
    assert q.text == "الحكومة لن تسمح بأي تجاوز للقانون مهما كان مصدره"


def test_quoted_words_inside_a_quote_are_one_quote(resources):
    qs = quotes('وقال المحامي: "قلت لهم إن الوقت قد حان لإغلاق الملف نهائيا".', resources)
    assert [q.text for q in qs] == ["قلت لهم إن الوقت قد حان لإغلاق الملف نهائيا"]


def test_short_quoted_names_and_terms_are_not_quotes(resources):
    assert quotes("نشرت صحيفة «الأهرام» تقريرا مطولا عن مشروع «المدينة الذكية» في القاهرة.", resources) == []


def test_statement_that_says(resources):
    (q,) = quotes("وأصدرت النقابة بيانا جاء فيه: «نرفض أي مساس بحقوق العمال المكتسبة».", resources)
    assert q.text == "نرفض أي مساس بحقوق العمال المكتسبة"
    assert speaker_text(q) == "النقابة"


# -- reported speech -----------------------------------------------------------------


def test_indirect_vso_with_time_words(resources):
    (q,) = quotes("أكد رئيس الوزراء الإسباني اليوم الاثنين أن حكومته ستدعم خطة السلام الجديدة.", resources)
    assert q.kind == "indirect"
    assert q.text == "حكومته ستدعم خطة السلام الجديدة"
    assert q.cue == "أكد"
    assert speaker_text(q) == "رئيس الوزراء الإسباني"
    assert q.speaker.country == "ESP"


def test_indirect_svo(resources):
    (q,) = quotes("الولايات المتحدة قالت أمس إن العقوبات ستبقى حتى نهاية العام.", resources)
    assert q.text == "العقوبات ستبقى حتى نهاية العام"
    assert q.speaker.name == "United States"


def test_complementiser_with_pronoun(resources):
    (q,) = quotes("وقال النائب إنه لا يثق بوعود الحكومة الحالية.", resources)
    assert q.text == "لا يثق بوعود الحكومة الحالية"


def test_participle_starts_a_second_quote_by_the_same_speaker(resources):
    qs = quotes("وأوضح المتحدث باسم الشركة أن الأرباح ارتفعت بنسبة عشرة في المئة، "
                "مشيرا إلى أن التوسع سيستمر في آسيا.", resources)
    assert [q.text for q in qs] == ["الأرباح ارتفعت بنسبة عشرة في المئة", "التوسع سيستمر في آسيا"]
    assert [q.cue for q in qs] == ["أوضح", "مشيرا"]
    assert qs[0].speaker == qs[1].speaker
    assert speaker_text(qs[0]) == "المتحدث باسم الشركة"


def test_next_verb_ends_the_reported_clause(resources):
    qs = quotes("وأكد الوزير أن المفاوضات مستمرة وقال إن الاتفاق بات قريبا.", resources)
    assert [q.text for q in qs] == ["المفاوضات مستمرة", "الاتفاق بات قريبا"]
    assert speaker_text(qs[1]) == "الوزير"


def test_continuation_takes_the_previous_speaker(resources):
    qs = quotes("قال مسؤول أمريكي إن المحادثات كانت مثمرة.\nوأضاف أن جولة جديدة ستعقد الشهر المقبل.", resources)
    assert [q.text for q in qs] == ["المحادثات كانت مثمرة", "جولة جديدة ستعقد الشهر المقبل"]
    for q in qs:
        assert q.speaker.name == "مسؤول أمريكي"
        assert q.speaker.country == "USA"


def test_continuation_with_nobody_before_has_no_speaker(resources):
    (q,) = quotes("وأضاف أن الحل بات قريبا جدا.", resources)
    assert q.speaker is None


def test_relay_speaker_and_via(resources):
    (q,) = quotes("ونقلت وكالة الأنباء الفرنسية عن مصدر دبلوماسي قوله إن الاجتماع تأجل إلى موعد لاحق.", resources)
    assert q.text == "الاجتماع تأجل إلى موعد لاحق"
    assert speaker_text(q) == "مصدر دبلوماسي"
    assert q.via is not None and q.via.mention.text == "وكالة الأنباء الفرنسية"


def test_clause_before_kama(resources):
    (q,) = quotes("وستفتتح المدرسة الجديدة أبوابها في بداية العام الدراسي، كما أعلن مدير التعليم في المنطقة.", resources)
    assert q.kind == "indirect"
    assert q.text == "وستفتتح المدرسة الجديدة أبوابها في بداية العام الدراسي"
    assert speaker_text(q) == "مدير التعليم في المنطقة"


def test_reported_clause_with_a_quoted_phrase(resources):
    (q,) = quotes("وقال الوزير إن القرار «خطوة تاريخية» ستغير وجه المنطقة كلها.", resources)
    assert q.kind == "indirect"
    assert q.text == "القرار «خطوة تاريخية» ستغير وجه المنطقة كلها"


def test_writer_clause_after_the_report_is_left_out(resources):
    (q,) = quotes("وقال الرئيس إن الانتخابات ستجري في موعدها، حيث بدأت اللجان استعداداتها منذ أشهر.", resources)
    assert q.text == "الانتخابات ستجري في موعدها"


def test_nominal_report(resources):
    (q,) = quotes("ودعا الأمين العام للجامعة العربية إلى وقف فوري لإطلاق النار في المدينة.", resources)
    assert q.text == "وقف فوري لإطلاق النار في المدينة"
    assert q.speaker is not None


def test_weak_nominal_needs_a_claim(resources):
    assert quotes("وأشار الوزير إلى زيارته الأخيرة للعاصمة الفرنسية.", resources) == []
    (q,) = quotes("وأشار الوزير إلى وجود خلافات عميقة داخل الحكومة.", resources)
    assert q.text == "وجود خلافات عميقة داخل الحكومة"


def test_participle_without_subject_takes_the_sentence_subject(resources):
    (q,) = quotes("ودانت مصر الهجوم مؤكدة أن الإرهاب لن ينال من عزيمة البلاد.", resources)
    assert q.text == "الإرهاب لن ينال من عزيمة البلاد"
    assert q.speaker is not None and q.speaker.country == "EGY"


def test_someone_who_thinks_is_not_a_speaker(resources):
    assert quotes("وهناك من يرى أن الأسعار سترتفع قريبا بسبب الجفاف.", resources) == []


def test_verb_without_report_is_not_a_quote(resources):
    assert quotes("وأعلنت الشركة نتائجها المالية للربع الأول من العام.", resources) == []


def test_name_after_an_honorific(resources):
    (q,) = quotes("وقال وزير الصحة الدكتور سامي الخطيب إن عدد الإصابات تراجع هذا الأسبوع.", resources)
    assert q.text == "عدد الإصابات تراجع هذا الأسبوع"
    assert same(q.speaker.name, "سامي الخطيب")


def test_unknown_name_before_a_title(resources):
    (q,) = quotes("وأكد سمير حداد نائب رئيس اتحاد المصدرين أن الصادرات ستنمو.", resources)
    assert same(q.speaker.name, "سمير حداد")


# -- the seed article ----------------------------------------------------------------

SEED_DIRECT = [
    "بعد هذه القمة التاريخية (…) يمكننا أن نقول بثقة إن العلاقات (بين روسيا وكوريا الشمالية) "
    "وصلت إلى مستوى جديد وإستراتيجي نوعيًا",
    "توفر الزيارة الحالية فرصة جيدة للغاية للنظر بالتفصيل",
    "نقدر بشدة دعمكم المبدئي والواضح لتحركات روسيا في إطار العملية العسكرية الخاصة في أوكرانيا",
]


def seed_direct(seed_text: str, resources) -> list[Quote]:
    a = analyze(Article(seed_text, published="2023-10-19"), resources)
    return [q for q in a.quotes if q.kind == "direct"]


def test_seed_direct_quotes(seed_text, resources):
    qs = seed_direct(seed_text, resources)
    assert len(qs) == 3
    for q, want in zip(qs, SEED_DIRECT, strict=True):
        assert q.text.startswith(want)
    assert qs[1].text.endswith("التي توصل إليها قائدانا")
    assert speaker_text(qs[0]) == "لافروف"  # the relayed speaker, not the agencies
    assert qs[0].via is not None and qs[0].via.mention.text == "وكالات الأنباء الروسية"
    assert speaker_text(qs[1]) == "لافروف"
    assert speaker_text(qs[2]) == "وزير الخارجية"
    assert qs[2].via is not None and qs[2].via.name == "RIA Novosti"


def test_seed_direct_quotes_are_lavrovs(seed_text, resources):
    # the third names him only as "وزير الخارجية", after "وزيرة الخارجية الكورية الشمالية"
    qs = seed_direct(seed_text, resources)
    assert [q.speaker.name for q in qs] == ["Sergey Lavrov"] * 3
    assert {q.speaker.country for q in qs} == {"RUS"}


def test_seed_indirect_quotes(seed_text, resources):
    a = analyze(Article(seed_text, published="2023-10-19"), resources)
    by_text = {q.text: q for q in a.quotes if q.kind == "indirect"}
    kremlin = by_text["ويفترض أن ترسي محادثات لافروف أسس زيارة مقبلة لبوتين إلى كوريا الشمالية"]
    assert kremlin.speaker.name == "Kremlin"
    kirby = next(q for t, q in by_text.items() if t.startswith("وتسعى بيونغيانغ"))
    assert kirby.speaker.name == "John Kirby"
    us = [q for q in by_text.values() if q.speaker and q.speaker.name == "United States"]
    assert [q.cue for q in us] == ["أكدت", "مشيرة"]


# -- odd input -----------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "وقال:", "قال", "قال إن", "«»", "“", "وأضاف: «", "قال الوزير: \n\n", "نقلت عن", "، كما قال",
    "قال " * 200, "«نعم» " * 100, "وقال الوزير إن" + " كلمة" * 3000,
])
def test_odd_text_does_not_break(text, resources):
    for q in quotes(text, resources):
        assert q.text.strip() and q.start < q.end


def test_colon_at_the_end_of_a_line_takes_the_next_line(resources):
    (q,) = quotes("وقال رئيس البلدية:\n«سنفتتح الحديقة العامة الجديدة قبل نهاية الصيف»", resources)
    assert q.text == "سنفتتح الحديقة العامة الجديدة قبل نهاية الصيف"
    assert speaker_text(q) == "رئيس البلدية"
