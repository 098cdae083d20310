"""Ambiguity rules of docs/linking.md, on the shipped dictionary."""

import pytest

from marsad.model import Article
from marsad.pipeline import analyze


def actors(text, res, published="2024-05-01"):
    a = analyze(Article(text=text, published=published), res, force_language=True)
    return a.actors


def countries(acts, types=("GPE",)):
    return {a.country for a in acts if a.type in types}


def test_amman_with_a_jordanian_adjective_is_jordan(resources):
    acts = actors("وصل الوزير إلى العاصمة الأردنية عمان في زيارة رسمية.", resources)
    assert "OMN" not in {a.country for a in acts}
    assert any(a.country == "JOR" for a in acts)


def test_oman_by_default_and_by_longer_phrase(resources):
    assert "OMN" in countries(actors("رحبت عمان بالاتفاق بين الطرفين.", resources))
    assert "OMN" in countries(actors("وصل الوزير إلى سلطنة عمان أمس.", resources))


def test_amman_when_the_document_names_jordan(resources):
    acts = actors("أعلن الأردن استضافة المحادثات. وقال مسؤول إن الوفود تصل إلى عمان غدا.", resources)
    assert "OMN" not in {a.country for a in acts}


@pytest.mark.parametrize("text,absent", [
    ("سقط صاروخ قرب القاعدة العسكرية في المنطقة.", "Al-Qaeda"),
    ("عاد اللاعب إلى مسقط رأسه بعد البطولة.", "Oman"),
    ("أقيمت الصلاة بعد صلاة المغرب في المسجد.", "Morocco"),
])
def test_traps(resources, text, absent):
    assert absent not in {a.name for a in actors(text, resources)}


def test_lone_surname_after_full_name_is_the_person_not_a_state(resources):
    text = ("قال رئيس الوزراء العراقي محمد شياع السوداني إن الحكومة ماضية في الإصلاح. "
            "وأضاف السوداني أن الانتخابات ستجري في موعدها.")
    acts = actors(text, resources)
    assert "SDN" not in {a.country for a in acts}
    per = [a for a in acts if a.type == "PER" and a.country == "IRQ"]
    assert per and sum(m.text == "السوداني" for m in per[0].mentions) >= 1


def test_person_name_after_an_institution_word_is_an_organisation(resources):
    acts = actors("افتتحت البلدية حديقة الملك سلمان في جدة العام الماضي.", resources)
    assert not any(a.type == "PER" for a in acts)
    org = [a for a in acts if a.type == "ORG"]
    assert org and org[0].name == "حديقة الملك سلمان" and org[0].country == "SAU"
