"""Generate the ministries block of marsad/kb/data/organizations.yaml.

Ministries of foreign affairs, defence and the interior follow one pattern in Arabic news:
the ministry with the nationality adjective (وزارة الخارجية الروسية), the short form
(الدفاع الروسية), and the construct with the country's name (وزارة خارجية روسيا, وزارة
الدفاع في أوكرانيا).  Writing them by hand for ~45 states invites typos, so they are built
from the names and adjectives in countries.yaml.  The block between the BEGIN/END markers
is replaced; the rest of organizations.yaml is edited by hand.

Short forms that are also ordinary phrases are ambiguous (docs/linking.md): الخارجية
الأمريكية occurs in السياسة الخارجية الأمريكية "US foreign policy", الداخلية السورية in
الشؤون الداخلية السورية "Syria's internal affairs".

Run ``python scripts/build_ministries.py`` after changing countries.yaml.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "marsad" / "kb" / "data"
BEGIN = "# >>> BEGIN generated ministries (scripts/build_ministries.py) >>>"
END = "# <<< END generated ministries <<<"

# G20 (the United States' departments are written by hand), the Arab League, and the other
# states most present in Middle East news.
STATES = (
    "ARG AUS BRA CAN CHN FRA DEU IND IDN ITA JPN KOR MEX RUS SAU ZAF TUR GBR "
    "DZA BHR COM DJI EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SOM SDN SYR TUN ARE YEM "
    "IRN ISR UKR PRK PAK AFG ESP BLR"
).split()

# (key, English name, Arabic ministry noun with article, its construct form, short form
# ambiguous?)
MINISTRIES = (
    ("mofa", "Ministry of Foreign Affairs", "الخارجية", "خارجية", True),
    ("mod", "Ministry of Defence", "الدفاع", "دفاع", False),
    ("moi", "Ministry of the Interior", "الداخلية", "داخلية", True),
)
NO_MINISTRY = {("PSE", "mod")}  # Palestine has no defence ministry
ENGLISH = {  # where the ministry has its own English name
    ("GBR", "mofa"): "Foreign, Commonwealth and Development Office",
    ("GBR", "mod"): "Ministry of Defence (United Kingdom)",
    ("GBR", "moi"): "Home Office",
}


def feminine_adjectives(country: dict[str, Any]) -> list[str]:
    """The feminine singular forms with the article: الروسية, الكورية الشمالية."""
    out = []
    for a in country.get("adjectives", []):
        words = a.split()
        if a.startswith("ال") and words[-1].endswith("ة") and not a.endswith("ات"):
            out.append(a)
    return out


def build(countries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    entries = []
    for iso in STATES:
        c = countries[iso]
        adjs = feminine_adjectives(c)
        name_ar = c["ar"][0]
        # no adjectives (جزر القمر: قمري is "lunar"): construct forms only
        for key, english, noun, construct, short_ambiguous in MINISTRIES:
            if (iso, key) in NO_MINISTRY:
                continue
            ar = [f"وزارة {noun} {a}" for a in adjs]
            if key == "mofa":
                ar += [f"وزارة الشؤون الخارجية {a}" for a in adjs]
            ar += [f"وزارة {construct} {name_ar}", f"وزارة {noun} في {name_ar}"]
            short = [f"{noun} {a}" for a in adjs]
            e: dict[str, Any] = {
                "id": f"{key}-{iso.lower()}",
                "name": ENGLISH.get((iso, key), f"{english} ({c['name']})"),
                "type": "ORG",
                "country": iso,
                "role": "GOV",
                "parent": iso,
                "ar": ar if short_ambiguous else ar + short,
            }
            if short_ambiguous and short:
                e["ambiguous"] = short
            entries.append(e)
    return entries


def render(entries: list[dict[str, Any]]) -> str:
    lines = [BEGIN]
    for e in entries:
        flow = yaml.safe_dump(e, allow_unicode=True, sort_keys=False, default_flow_style=True, width=100000)
        lines.append("- " + flow.strip())
    lines.append(END)
    return "\n".join(lines) + "\n"


def main() -> None:
    countries = {c["id"]: c for c in yaml.safe_load((DATA / "countries.yaml").read_text(encoding="utf-8"))}
    target = DATA / "organizations.yaml"
    text = target.read_text(encoding="utf-8")
    block = render(build(countries))
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail.lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    target.write_text(text, encoding="utf-8")
    print(f"{target}: {block.count(chr(10)) - 2} ministries", file=sys.stderr)


if __name__ == "__main__":
    main()
