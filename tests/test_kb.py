"""The actor dictionary: the shipped files are valid and cover what the news needs, the
validator catches each kind of defect, and the ``marsad actors`` commands inspect it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from marsad.cli import main
from marsad.kb import KBError, default_kb, igo_codes, load_kb, parse_entries, validate

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).parent / "data" / "mini_actors.yaml"


@pytest.fixture(scope="module")
def kb():
    return default_kb()


def ids(entries):
    return [e.id for e in entries]


def hits(kb, phrase):
    """(actor id, kind) of every alias hit for exactly ``phrase``."""
    return sorted((h.actor_id, h.kind) for h in kb.matcher.lookup(phrase))


# -- the shipped dictionary ---------------------------------------------------------------------


def test_shipped_dictionary_is_valid(kb):
    assert validate(kb) == []


def test_every_iso_state_and_territory(kb):
    states = [e for e in kb.entries.values() if e.type == "GPE" and e.id == e.country]
    assert len(states) >= 250  # 249 ISO 3166-1 entries + Kosovo
    for code in ("USA", "RUS", "PRK", "KOR", "PSE", "XKX", "VAT", "ESH", "ATA", "SSD", "TWN", "HKG"):
        assert kb.country_entry(code) is not None, code
    assert kb.entries["TUR"].name == "Turkey" and kb.entries["PSE"].name == "Palestine"
    assert all(e.ar for e in states), [e.id for e in states if not e.ar]


def test_coverage_of_places_igos_and_organisations(kb):
    by_file: dict[str, int] = {}
    for e in kb.entries.values():
        by_file[e.source_file] = by_file.get(e.source_file, 0) + 1
    assert by_file["places.yaml"] >= 300
    assert by_file["igos.yaml"] >= 60
    assert by_file["organizations.yaml"] >= 250
    # no people in these files: people-*.yaml hold them
    for e in kb.entries.values():
        if e.source_file in ("countries.yaml", "places.yaml", "igos.yaml", "organizations.yaml"):
            assert e.type != "PER", e.id


@pytest.mark.parametrize("text, expected", [
    ("وبيونغيانغ", "PRK"),          # capital with a conjunction
    ("بيونغ يانغ", "PRK"),
    ("أميركا", "USA"),
    ("أمريكا", "USA"),
    ("للولايات المتحدة", "USA"),     # ل + ال
    ("بموسكو", "RUS"),
    ("روسيا الاتحادية", "RUS"),
    ("المملكة المتحدة", "GBR"),
    ("بريطانيا", "GBR"),
    ("الإمارات", "ARE"),
    ("الجمهورية الإسلامية الإيرانية", "IRN"),
    ("كوريا الديمقراطية", "PRK"),
    ("سلطنة عمان", "OMN"),
    ("كييف", "UKR"),
    ("والكرملين", "kremlin"),
    ("البيت الأبيض", "white-house"),
    ("البنتاغون", "pentagon"),
    ("مجلس الأمن القومي الأميركي", "us-nsc"),
    ("فاغنر", "wagner-group"),
    ("ريا نوفوستي", "ria-novosti"),
    ("واس", "spa"),
    ("أ ف ب", "afp"),
    ("الحوثيين", "houthis"),
    ("أنصار الله", "houthis"),
    ("قوات الدعم السريع", "rsf-sudan"),
    ("قسد", "sdf"),
    ("الحرس الثوري", "irgc"),
    ("وزارة خارجية روسيا", "mofa-rus"),
    ("وزارة الدفاع الأوكرانية", "mod-ukr"),
    ("الناتو", "nato"),
    ("والأونروا", "unrwa"),
    ("لمجلس الأمن", "un-security-council"),
    ("الاتحاد الأوربي", "eu"),
    ("غزة", "gaza-strip"),
    ("شبه جزيرة القرم", "crimea"),
    ("الجولان", "golan-heights"),
])
def test_lookup(kb, text, expected):
    assert expected in ids(kb.lookup(text)), (text, ids(kb.lookup(text)))


@pytest.mark.parametrize("text, expected", [
    ("الكوري الشمالي", "PRK"), ("الكورية الشمالية", "PRK"), ("الكوريين الشماليين", "PRK"),
    ("الكوري الجنوبي", "KOR"), ("الروسيين", "RUS"), ("روسيون", "RUS"), ("الروس", "RUS"),
    ("الأميركيين", "USA"), ("أمريكية", "USA"), ("الإيرانية", "IRN"), ("الأتراك", "TUR"),
    ("الجنوب سوداني", "SSD"), ("السعوديون", "SAU"), ("الإماراتي", "ARE"),
])
def test_nationality_adjectives(kb, text, expected):
    assert [m.payloads for m in kb.adjective_matcher.find_all(_doc(kb, text))
            if m.i == 0 and m.j == len(_doc(kb, text).tokens)] == [(expected,)]


def _doc(kb, text):
    from marsad.text import make_doc

    return make_doc(text, kb.lang)


def test_adjectives_that_are_common_words_are_left_out(kb):
    # مالي/المالية "financial", قمري "lunar", تركماني (the Turkmen of Iraq), كوري (which Korea?)
    for word in ("المالي", "المالية", "القمري", "التركماني", "الكوري", "الكورية"):
        assert not kb.adjective_matcher.lookup(word), word


def test_amman_and_oman_are_ambiguous_and_oman_is_the_default(kb):
    assert hits(kb, "عمان") == [("JOR", "ambiguous"), ("OMN", "ambiguous")]
    assert hits(kb, "عمّان") == hits(kb, "عمان")  # shadda is not in the key
    assert kb.default_for("عمان").id == "OMN"
    assert hits(kb, "سلطنة عمان") == [("OMN", "name")]
    assert hits(kb, "الأردن") == [("JOR", "name")]


def test_other_ambiguous_names(kb):
    assert hits(kb, "المملكة") == [("SAU", "ambiguous")]
    assert hits(kb, "كوريا") == [("KOR", "ambiguous"), ("PRK", "ambiguous")]
    assert kb.default_for("كوريا") is None
    assert {a for a, _ in hits(kb, "طرابلس")} == {"LBY", "tripoli-lebanon"}
    assert kb.default_for("طرابلس").id == "LBY"
    assert kb.default_for("الكونغو").id == "COD"
    assert hits(kb, "سيول") == [("KOR", "ambiguous")]   # also "torrents"
    assert hits(kb, "سول") == [("KOR", "capital")]
    assert kb.default_for("الحوثي").id == "houthis"
    assert {a for a, _ in hits(kb, "حزب العدالة والتنمية")} == {"akp", "pjd-morocco"}
    # common words are matched only in qualified forms
    assert hits(kb, "مالي") == [("MLI", "ambiguous")]
    assert hits(kb, "القصير") == [] and hits(kb, "مدينة القصير") == [("qusayr", "name")]
    assert hits(kb, "المسيرة") == [] and hits(kb, "قناة المسيرة") == [("al-masirah", "name")]


def test_igo_codes(kb):
    declared = igo_codes(kb)
    for code in ("IGO:UN", "IGO:NATO", "IGO:EU", "IGO:ARABLEAGUE", "IGO:GCC", "IGO:IAEA", "IGO:OPEC", "IGO:AU"):
        assert code in declared
    for organ in ("un-security-council", "un-general-assembly", "unhcr", "unrwa", "unicef", "wfp", "who"):
        assert kb.entries[organ].country == "IGO:UN" and kb.entries[organ].parent == "un"
    assert kb.entries["iaea"].country == "IGO:IAEA"
    assert kb.entries["opcw"].country == "IGO:OPCW"
    assert kb.entries["icrc"].country is None and kb.entries["icrc"].role == "NGO"
    states = {e.id for e in kb.entries.values() if e.type == "GPE" and e.id == e.country}
    for od in kb.offices.values():  # offices.yaml may only name declared IGOs (or states)
        assert od.igo is None or od.igo in declared or od.igo in states, od.id


def test_political_metonyms_are_organisations_not_capitals(kb):
    for org, country in (("kremlin", "RUS"), ("white-house", "USA"), ("pentagon", "USA"), ("elysee", "FRA"),
                         ("downing-street", "GBR"), ("us-state-department", "USA")):
        e = kb.entries[org]
        assert e.type == "ORG" and e.country == country
    capitals = {c for e in kb.entries.values() for c in e.capitals}
    assert "الكرملين" not in capitals and "البيت الأبيض" not in capitals


# -- generated files are up to date ---------------------------------------------------------------


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def test_ministries_block_is_up_to_date():
    mod = _script("build_ministries")
    data = ROOT / "marsad" / "kb" / "data"
    countries = {c["id"]: c for c in yaml.safe_load((data / "countries.yaml").read_text(encoding="utf-8"))}
    text = (data / "organizations.yaml").read_text(encoding="utf-8")
    assert mod.render(mod.build(countries)) in text, "rerun scripts/build_ministries.py"


@pytest.mark.slow
def test_countries_file_is_up_to_date():
    pytest.importorskip("babel")
    from conftest import SHARED

    if not (SHARED / "data" / "countries_mledoze").is_dir():
        pytest.skip("shared data not available (../shared/data/countries_mledoze)")
    mod = _script("build_countries")
    built = mod.dump(mod.build(SHARED / "data"))
    assert built == (ROOT / "marsad" / "kb" / "data" / "countries.yaml").read_text(encoding="utf-8"), \
        "rerun scripts/build_countries.py"


def test_inflect_generates_every_form():
    mod = _script("build_countries")
    assert mod.inflect("روسي") == ["روسي", "الروسي", "روسية", "الروسية", "روسيون", "الروسيون",
                                   "روسيين", "الروسيين", "روسيات", "الروسيات"]
    assert "الكوريين الشماليين" in mod.inflect("كوري شمالي")
    assert "الجنوب سودانية" in mod.inflect("جنوب سوداني")


# -- the validator catches each kind of defect ------------------------------------------------------

GOOD = """
- {id: AAA, name: Alpha, type: GPE, country: AAA, ar: [ألفا], capitals: [مدينة ألفا], adjectives: [ألفي, الألفي]}
- {id: BBB, name: Beta, type: GPE, country: BBB, ar: [بيتا]}
- {id: org-x, name: Org X, type: ORG, country: AAA, role: GOV, parent: AAA, ar: [منظمة إكس]}
- {id: igo-y, name: IGO Y, type: ORG, country: "IGO:YY", role: IGO, ar: [منظمة واي]}
- {id: organ-y, name: Organ of Y, type: ORG, country: "IGO:YY", role: IGO, parent: igo-y, ar: [مجلس واي]}
- id: person-z
  name: Person Z
  type: PER
  country: AAA
  role: GOV
  ar: [زيد زيدان]
  offices: [{office: foreign_minister, country: AAA, from: 2001-02-03, to: 2005}]
"""


def _load(tmp_path, text, name="actors.yaml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return load_kb([p], builtin=False)


def test_a_good_file_passes(tmp_path):
    kb = _load(tmp_path, GOOD)
    assert validate(kb) == []
    assert ids(kb.lookup("وألفا")) == ["AAA"]


@pytest.mark.parametrize("extra, message", [
    ("- {id: c1, name: C, type: ORG, country: XYZ, ar: [سي]}", "unknown country code 'XYZ'"),
    ("- {id: c1, name: C, type: ORG, country: 'IGO:NOPE', ar: [سي]}", "unknown country code 'IGO:NOPE'"),
    ("- {id: c1, name: C, type: ORG, country: AAA, role: XXX, ar: [سي]}", "unknown role"),
    ("- {id: c1, name: C, type: ORG, country: AAA, parent: nobody, ar: [سي]}", "parent 'nobody' not found"),
    ("- {id: c1, name: C, type: ORG, country: AAA}", "no Arabic alias"),
    ("- {id: c1, name: C, type: ORG, country: AAA, ar: [ألفا]}", "alias 'الفا' belongs to ['AAA', 'c1']"),
    ("- {id: c1, name: C, type: LOC, country: AAA, ar: [مدينة ألفا]}", "belongs to ['AAA', 'c1']"),
    ("- {id: c1, name: C, type: ORG, country: AAA, ar: [سي], adjectives: [سيوي]}", "adjectives are for states only"),
    ("- {id: CCC, name: C, type: GPE, country: CCC, ar: [سي], adjectives: [الألفي]}", "adjective 'الالفي'"),
    ("- {id: c1, name: C, type: ORG, country: AAA, ar: [سي], default_for: [سي]}", "not listed under ambiguous"),
    ("- {id: c1, name: C, type: PER, country: AAA, ar: [سي], offices: [{office: nonsense}]}", "not defined in offices"),
    ("- {id: c1, name: C, type: ORG, country: AAA, ar: [سي], wikidata: X12}", "malformed wikidata"),
    ("- {id: c1, name: C, type: ORG, country: AAA, ar: ['،']}", "punctuation-only alias"),
])
def test_validator_catches(tmp_path, extra, message):
    problems = validate(_load(tmp_path, GOOD + extra + "\n"))
    assert any(message in p for p in problems), problems


def test_shared_alias_is_fine_when_every_holder_marks_it_ambiguous(tmp_path):
    both = ("- {id: c1, name: C1, type: ORG, country: AAA, ar: [سي واحد], ambiguous: [سي], default_for: [سي]}\n"
            "- {id: c2, name: C2, type: ORG, country: BBB, ar: [سي اثنان], ambiguous: [سي]}\n")
    kb = _load(tmp_path, GOOD + both)
    assert validate(kb) == []
    assert hits(kb, "سي") == [("c1", "ambiguous"), ("c2", "ambiguous")]
    assert kb.default_for("سي").id == "c1"
    one = both.replace(", ambiguous: [سي]}", "}").replace("[سي اثنان]", "[سي اثنان, سي]")
    assert any("not marked ambiguous by all" in p for p in validate(_load(tmp_path, GOOD + one)))
    two_defaults = both.replace("ambiguous: [سي]}", "ambiguous: [سي], default_for: [سي]}")
    assert any("default reading of ['c1', 'c2']" in p for p in validate(_load(tmp_path, GOOD + two_defaults)))


def test_duplicate_ids(tmp_path):
    # inside one user file: an error (the second would silently replace the first)
    with pytest.raises(KBError, match="duplicate id 'AAA'"):
        _load(tmp_path, GOOD + "- {id: AAA, name: Again, type: GPE, country: AAA, ar: [مكرر]}\n")
    # across the shipped files: reported by the validator
    kb = load_kb([], builtin=False)
    entries = parse_entries(yaml.safe_load(GOOD), "one.yaml", kb.errors)
    kb.add_entries(entries)
    kb.add_entries(parse_entries(yaml.safe_load(GOOD), "two.yaml", kb.errors))
    assert any("two.yaml: duplicate id 'AAA' (also in one.yaml)" in p for p in validate(kb))


@pytest.mark.parametrize("bad, message", [
    ("to: 2005}", "to: '2005-1-1'}"),           # malformed date
    ("to: 2005}", "to: 2000}"),                  # ends before it starts
    ("to: 2005}", "to: '2005-02-30'}"),         # impossible date
])
def test_bad_dates_are_rejected(tmp_path, bad, message):
    with pytest.raises(KBError) as exc:
        _load(tmp_path, GOOD.replace(bad, message))
    assert "date" in str(exc.value) or "before it starts" in str(exc.value)


def test_unknown_field_is_reported_not_ignored(tmp_path):
    with pytest.raises(KBError, match="unknown field.*capitol"):
        _load(tmp_path, GOOD.replace("capitals:", "capitol:"))


def test_unreadable_and_malformed_files(tmp_path):
    with pytest.raises(KBError, match="cannot read"):
        load_kb([tmp_path / "missing.yaml"], builtin=False)
    with pytest.raises(KBError, match="not valid YAML"):
        _load(tmp_path, "- {id: x, name: [unclosed\n")
    with pytest.raises(KBError, match="expected a list"):
        _load(tmp_path, "id: x\nname: X\n")


def test_spellings_that_fold_alike_give_one_hit(tmp_path):
    kb = _load(tmp_path, GOOD + "- {id: c1, name: C, type: ORG, country: AAA, ar: [أوريدو, اوريدو, أُوريدو]}\n")
    assert hits(kb, "اوريدو") == [("c1", "name")]


def test_ambiguous_capital_is_matched_as_ambiguous_only(tmp_path):
    text = GOOD.replace("capitals: [مدينة ألفا]", "capitals: [مدينة ألفا], ambiguous: [مدينة ألفا]")
    kb = _load(tmp_path, text)
    assert hits(kb, "مدينة ألفا") == [("AAA", "ambiguous")]


def test_user_file_overrides_a_shipped_entry(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_text("- {id: RUS, name: Russian Federation, type: GPE, country: RUS, ar: [روسيا]}\n", encoding="utf-8")
    kb = load_kb([p])
    assert kb.entries["RUS"].name == "Russian Federation"
    assert ids(kb.lookup("روسيا")) == ["RUS"]


# -- marsad actors ... --------------------------------------------------------------------------------


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_cli_lookup():
    r = run("actors", "lookup", "لافروف", "--actors", str(MINI))
    assert r.exit_code == 0 and "Sergey Lavrov" in r.output and "RUS" in r.output
    r = run("actors", "lookup", "وبيونغيانغ")
    assert r.exit_code == 0 and "North Korea" in r.output and "capital" in r.output
    r = run("actors", "lookup", "وزير الخارجية الروسي", "--date", "2003-01-10", "--actors", str(MINI))
    assert "Igor Ivanov" in r.output and "Lavrov" not in r.output
    r = run("actors", "lookup", "الكرملين", "--json")
    data = json.loads(r.output)
    assert data[0]["id"] == "kremlin" and data[0]["country"] == "RUS" and data[0]["how"] == "name"


def test_cli_lookup_unknown_and_bad_input():
    r = run("actors", "lookup", "كلمة لا يعرفها القاموس")
    assert r.exit_code == 0 and r.output.strip().startswith("marsad: no actor")
    r = run("actors", "lookup", "كلمة", "--date", "yesterday")
    assert r.exit_code == 2 and "not a date" in r.output


def test_cli_list():
    r = run("actors", "list", "--country", "PRK", "--actors", str(MINI))
    assert r.exit_code == 0
    rows = [line.split("\t") for line in r.output.splitlines()]
    assert ["PRK", "GPE", "PRK"] == rows[0][:3] or any(row[0] == "PRK" for row in rows)
    assert all(row[2] == "PRK" for row in rows)
    r = run("actors", "list", "--country", "RUS", "--type", "PER", "--json", "--actors", str(MINI))
    data = json.loads(r.output)
    assert {d["id"] for d in data} >= {"sergey-lavrov", "vladimir-putin"} and all(d["type"] == "PER" for d in data)
    r = run("actors", "list", "--country", "igo:un", "--type", "ORG")
    assert r.exit_code == 0 and "un-security-council" in r.output


def test_cli_list_unknown_country_is_a_usage_error():
    r = run("actors", "list", "--country", "XYZ")
    assert r.exit_code == 2
    assert r.output.count("\n") == 1 and "unknown country code 'XYZ'" in r.output


def test_cli_check(tmp_path):
    r = run("actors", "check")
    assert r.exit_code == 0 and r.output.startswith("ok:")
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {id: c1, name: C, type: ORG, country: XYZ, ar: [سي]}\n", encoding="utf-8")
    r = run("actors", "check", "--actors", str(bad))
    assert r.exit_code == 3 and "unknown country code 'XYZ'" in r.output
    bad.write_text("- {id: c1, name: [unclosed\n", encoding="utf-8")
    r = run("actors", "check", "--actors", str(bad))
    assert r.exit_code == 3 and r.output.count("\n") == 1


# -- the seed article: the organisations the issue names ----------------------------------------------


def test_seed_article_organisations(seed_text):
    from marsad.model import Article
    from marsad.pipeline import analyze
    from marsad.resources import load_resources

    a = analyze(Article(text=seed_text, published="2023-10-19"), load_resources(use_ner=False),
                force_language=True)
    got = {x.name: x.country for x in a.actors}
    for name, country in (("Kremlin", "RUS"), ("RIA Novosti", "RUS"), ("Wagner Group", "RUS"),
                          ("United States National Security Council", "USA"), ("North Korea", "PRK"),
                          ("Russia", "RUS"), ("United States", "USA"), ("Ukraine", "UKR")):
        assert got.get(name) == country, (name, got)
