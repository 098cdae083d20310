"""Actor linking rules, on a small dictionary of our own (tests/data/mini_actors.yaml) so that
they do not depend on the shipped dictionary's contents."""

from pathlib import Path

import pytest

from marsad.model import Article
from marsad.pipeline import analyze
from marsad.resources import load_resources

MINI = Path(__file__).parent / "data" / "mini_actors.yaml"


@pytest.fixture(scope="module")
def mini():
    return load_resources([MINI], use_ner=False, builtin_actors=False)


def actors_of(text, res, published="2023-10-19"):
    a = analyze(Article(text=text, published=published), res, force_language=True)
    for act in a.actors:
        for m in act.mentions:
            assert a.text[m.start:m.end] == m.text
    return {x.name: x for x in a.actors}


def test_clitics_and_capital_metonymy(mini):
    acts = actors_of("العلاقات بين موسكو وبيونغيانغ تتحسن، ولبوتين رأي آخر.", mini)
    assert acts["Russia"].country == "RUS"
    assert "موسكو" in [m.text for m in acts["Russia"].mentions]
    assert "بيونغيانغ" in [m.text for m in acts["North Korea"].mentions]
    assert "بوتين" in [m.text for m in acts["Vladimir Putin"].mentions]


def test_capital_after_locative_preposition_is_a_place(mini):
    acts = actors_of("وصل الوفد إلى موسكو مساء أمس.", mini)
    assert "Russia" not in acts
    loc = [a for a in acts.values() if a.type == "LOC"]
    assert loc and loc[0].country == "RUS"


def test_title_resolves_by_office_dates(mini):
    assert "Sergey Lavrov" in actors_of("قال وزير الخارجية الروسي إن الزيارة ناجحة.", mini, "2015-07-01")
    assert "Igor Ivanov" in actors_of("قال وزير الخارجية الروسي إن الزيارة ناجحة.", mini, "2003-01-10")


def test_title_followed_by_name_is_a_mention_of_that_person(mini):
    acts = actors_of("أكد وزير الخارجية الروسي سيرغي لافروف أن العلاقات جيدة. وأضاف لافروف أن الزيارة مهمة.", mini)
    forms = [m.text for m in acts["Sergey Lavrov"].mentions]
    assert forms.count("لافروف") == 1 and "وزير الخارجية الروسي" in forms and "سيرغي لافروف" in forms


def test_ambiguous_alias_needs_an_unambiguous_mention(mini):
    assert "Kim Jong Un" not in actors_of("التقى كيم بعدد من المسؤولين.", mini)
    acts = actors_of("وصل كيم جونغ أون إلى روسيا. وقال كيم إن الزيارة تاريخية.", mini)
    assert [m.text for m in acts["Kim Jong Un"].mentions] == ["كيم جونغ أون", "كيم"]


def test_nationality_adjective_gives_the_state(mini):
    acts = actors_of("أعلن مسؤول أمريكي أن المحادثات مستمرة.", mini)
    assert acts["United States"].country == "USA"
    assert [m.text for m in acts["United States"].mentions] == ["أمريكي"] or "أمريكي" in [
        m.text for m in acts["United States"].mentions]


def test_unknown_office_holder_is_named_by_the_title(mini):
    acts = actors_of("التقى الزعيم الكوري الشمالي بالوفد.", mini, "2005-01-01")
    per = [a for a in acts.values() if a.type == "PER"]
    assert per and per[0].name == "الزعيم الكوري الشمالي" and per[0].country == "PRK"


def test_bare_title_refers_back_to_the_named_holder(mini):
    acts = actors_of("وصل وزير الخارجية الروسي سيرغي لافروف. ونقلت الوكالة عن وزير الخارجية قوله إنه سعيد.", mini)
    assert sum(m.text == "وزير الخارجية" for m in acts["Sergey Lavrov"].mentions) == 1


def test_adjective_inside_a_name_does_not_make_the_state_an_actor(mini):
    acts = actors_of("فاز المنتخب الروسي على منافسه في البطولة.", mini)
    assert "Russia" not in acts
    team = [a for a in acts.values() if a.type == "ORG"]
    assert team and team[0].name == "المنتخب الروسي" and team[0].country == "RUS"
    acts = actors_of("فاز المنتخب الروسي، وهنأت روسيا لاعبيه.", mini)
    assert {m.text for m in acts["Russia"].mentions} >= {"روسيا", "الروسي"}


def test_elided_article_is_restored_in_a_generic_actor_name(mini):
    acts = actors_of("وجهت التهمة للجيش الروسي بعد الهجوم.", mini)
    army = [a for a in acts.values() if a.type == "ORG"]
    assert army and army[0].name == "الجيش الروسي"
    assert army[0].mentions[0].text == "لجيش الروسي"


def test_capital_alone_in_quote_marks_is_a_publication(mini):
    acts = actors_of("وقال المتحدث لـ«موسكو» إن الوضع هادئ.", mini)
    assert "Russia" not in acts
    pub = [a for a in acts.values() if a.type == "ORG"]
    assert pub and pub[0].name == "موسكو" and pub[0].role == "MED"


def test_bare_title_agrees_in_gender_with_its_referent(mini):
    text = ("التقى وزير الخارجية الروسي سيرغي لافروف وزيرة الخارجية الكورية الشمالية تشوي سون هوي. "
            "ونقلت الوكالة عن وزير الخارجية قوله إن اللقاء مثمر.")
    acts = actors_of(text, mini)
    assert "وزير الخارجية" in [m.text for m in acts["Sergey Lavrov"].mentions]


@pytest.fixture(scope="module")
def mini_ner():
    return load_resources([MINI], use_ner=True, builtin_actors=False)


def test_unknown_person_after_a_spokesperson_title_keeps_the_name(mini_ner):
    """Kirby is not in the small dictionary: NER finds the name, the title gives the country."""
    acts = actors_of("وقال المتحدث باسم مجلس الأمن القومي الأميركي جون كيربي إن واشنطن قلقة.", mini_ner)
    assert acts["جون كيربي"].country == "USA"
    assert "المتحدث باسم مجلس الأمن القومي الأميركي" not in acts


@pytest.mark.parametrize("text, name, country, role", [
    ("وأكد المتحدث باسم وزارة الخارجية الفرنسية كريستوف لوموان أن باريس تتابع الوضع.", "كريستوف لوموان", "FRA", "GOV"),
    ("وقال المتحدث باسم حركة حماس حازم قاسم إن الحركة ترفض المقترح.", "حازم قاسم", "PSE", "REB"),
])
def test_spokesperson_of_a_known_body_takes_its_country_and_role(resources, text, name, country, role):
    acts = actors_of(text, resources)
    assert (acts[name].country, acts[name].role) == (country, role)
    assert any(m.text.startswith("المتحدث باسم") for m in acts[name].mentions)
