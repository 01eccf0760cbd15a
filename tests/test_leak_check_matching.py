"""The leak check's matcher is fast (whole-string normalisation, needles indexed by their words,
digit runs checked once per distinct run) and must find exactly what a plain search finds.

The reference here is deliberately naive: every needle is looked for with ``str.find`` at every
position of the character-by-character normalisation, kept when it starts at a word start and
ends at a word edge (names) or covers whole digit groups of a digit run (digits). Random texts
mix the needles' own words, their pieces, digits with separators, punctuation and non-ASCII
characters, so near misses are frequent.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parentgroup.leak_check.matching import (
    _DIGIT_RUN,
    _mask_geometry,
    _Matcher,
    _month_in_a_date,
    _sentence_start,
    _titlecase_word,
    normalise,
    normalised_text,
)
from parentgroup.leak_check.needles import Needle
from parentgroup.leak_check.scanning import _scan, scan_paths

NEEDLES = [
    Needle("P01", "parent_name", "siobhan o'neil", "folded"),
    Needle("P01", "parent_name", "siobhan", "folded"),
    Needle("P01", "parent_name", "o'neil", "folded"),
    Needle("P01", "parent_name", "oneil", "folded"),
    Needle("P02", "child_name", "smith-jones", "folded"),
    Needle("P02", "child_name", "smith", "folded"),
    Needle("P02", "child_name", "jones", "folded"),
    Needle("P02", "child_name", "zoe", "folded"),
    Needle("P03", "child_dob", "9 march 2014", "folded"),
    Needle("P03", "child_dob", "09032014", "digits"),
    Needle("P03", "child_dob", "090314", "digits"),
    Needle("P03", "phone", "07700900111", "digits"),
    Needle("P03", "phone", "7700900111", "digits"),
    Needle("P04", "child_name", "Grace", "cased"),
    Needle("P04", "child_name", "May", "cased"),
    Needle("P04", "email", "ravi.k@example.com", "folded"),
    Needle("P04", "record_id", "t-101", "folded"),
]
MATCHER = _Matcher(NEEDLES)

PIECES = [
    "Siobhan", "O'Neil", "ONeil", "o’neil", "Smith", "Jones", "Smith-Jones", "smith jones", "Zoë",
    "ZOE", "zoey", "Grace", "grace", "GRACE", "May", "may", "9 March 2014", "9 march", "2014",
    "0903", "2014", "07700", "900", "111", "0770 090 0111", "13.08.17", "130.817", "ravi.k",
    "@example.com", "T-101", "t101", "_", "-", ".", ". ", "? ", ",", "'", "\u2019", "\u00a0",
    "\u200b", "\n", "  ", "\t", "(", ")", "/", "é", "ß", "Ꭰ", "\u00a8", "½", "x", "1", "42",
    "thanks to Grace", "with May.", "07700 900111", "09-03-2014", " ", "09 03 14", "090314",
    "\x1c", "\x85", "\u2028", "\u3000", "\ufeff", "\u00ad",
]
TEXTS = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30).map("".join)


def _reference(text: str) -> set[tuple[str, str, int, int]]:
    """Every (view, needle, start, end) by plain search over the slow normalisation."""
    found = set()
    for view, casefold in (("folded", True), ("cased", False)):
        normal, origin = normalise(text, casefold)
        for needle in NEEDLES:
            if needle.view != view:
                continue
            start = normal.find(needle.text)
            while start >= 0:
                end = start + len(needle.text)
                at_word_start = start == 0 or not re.match(r"[^\W_]", normal[start - 1])
                at_word_end = end == len(normal) or not normal[end].isalnum()
                cased_ok = view != "cased" or (
                    _titlecase_word(normal, start, end)
                    and not _sentence_start(text, origin[start])
                    # the matcher's date rule: "May 9" is a month, not the child May
                    and not _month_in_a_date(normal, start, end)
                )
                if at_word_start and at_word_end and cased_ok:
                    found.add((view, needle.text, start, end))
                start = normal.find(needle.text, start + 1)
    normal, _ = normalise(text, True)
    digit_needles = {n.text for n in NEEDLES if n.view == "digits"}
    for run in _DIGIT_RUN.finditer(normal):
        groups = [(run.start() + g.start(), run.start() + g.end())
                  for g in re.finditer(r"\d+", run.group())]
        for i in range(len(groups)):
            for j in range(i, len(groups)):
                joined = "".join(normal[a:b] for a, b in groups[i : j + 1])
                if joined in digit_needles:
                    found.add(("digits", joined, groups[i][0], groups[j][1]))
    return found


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS, st.booleans())
def test_whole_string_normalisation_equals_the_character_by_character_one(text, casefold):
    assert normalised_text(text, casefold) == normalise(text, casefold)[0]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_the_matcher_finds_exactly_what_a_plain_search_finds(text):
    found = {(m.view, m.needle_text, m.start, m.end) for m, _ in MATCHER.find(text)}
    assert found == _reference(text)


def test_overlapping_and_nested_occurrences_are_all_reported():
    text = "Siobhan O'Neil met Smith-Jones on 07700 900111 and 0770 090 0111."
    found = sorted((m.needle_text, m.start) for m, _ in MATCHER.find(text))
    assert ("siobhan o'neil", 0) in found and ("siobhan", 0) in found and ("o'neil", 8) in found
    assert ("smith-jones", 19) in found and ("smith", 19) in found and ("jones", 25) in found
    assert ("07700900111", 34) in found and ("7700900111", 35) not in found  # mid-group
    assert ("07700900111", 51) in found


def test_geometry_digits_are_masked_and_everything_else_is_kept():
    svg = ('<svg width="460.8" viewBox="0 0 460.8 345.6"><path d="M 72 130.817 L 9 7.2016"/>'
           '<use x="13" y="0817" xlink:href="#m1"/><text x="1">DOB 09.03.2014</text>'
           '<desc title="Siobhan 090314"/></svg>')
    masked = _mask_geometry(svg)
    assert len(masked) == len(svg)
    assert "130.817" not in masked and '"0817"' not in masked and "7.2016" not in masked
    assert "09.03.2014" in masked and "Siobhan 090314" in masked and "#m1" in masked
    in_json = '{"image/svg+xml": "<path d=\\"M 13 0817\\"/>"}'
    assert "0817" not in _mask_geometry(in_json)
    # only inside an opening tag: code and prose keep their digits
    for text in ('x = "07700 900111"', "if a < b: x = '07700 900111'", "width = '090314'"):
        assert _mask_geometry(text) == text


def test_a_date_of_birth_as_chance_coordinates_is_not_a_hit_but_as_text_it_is(tmp_path):
    figure = tmp_path / "results" / "figure.svg"
    figure.parent.mkdir()
    figure.write_text('<svg><path d="M 9 0.3 L 2014 1"/><use x="090" y="314"/></svg>',
                      encoding="utf-8")
    assert scan_paths([tmp_path / "results"], NEEDLES, base=tmp_path) == []
    figure.write_text('<svg><text x="1">born 09 03 2014</text></svg>', encoding="utf-8")
    hits = scan_paths([tmp_path / "results"], NEEDLES, base=tmp_path)
    assert {(h.participant, h.field) for h in hits} == {("P03", "child_dob")}


def test_a_date_of_birth_inside_a_checksum_is_not_a_hit_but_beside_it_it_is(tmp_path):
    """A SHA-256 digest whose digits happen to form a digit group equal to a date of birth
    (found in a 50-site run) is not a leak; the same digits as words of their own are."""
    digest = "ab090314" + "cd" * 28
    assert len(digest) == 64
    provenance = tmp_path / "results" / "provenance.json"
    provenance.parent.mkdir()
    provenance.write_text(f'{{"inputs": {{"data/raw/x.csv": "{digest}"}}}}\n', encoding="utf-8")
    assert scan_paths([tmp_path / "results"], NEEDLES, base=tmp_path) == []
    for text in (f"born 090314 {digest}", f'"{digest[:40]}" 090314', "a1 090314 b2",
                 "note ab090314cd"):  # the last: too short for a checksum, and a whole group
        provenance.write_text(text, encoding="utf-8")
        hits = scan_paths([tmp_path / "results"], NEEDLES, base=tmp_path)
        assert {(h.participant, h.field) for h in hits} == {("P03", "child_dob")}, text


def test_two_scan_workers_find_the_same_hits_as_one(tmp_path):
    root = tmp_path / "results"
    root.mkdir()
    for number in range(6):
        (root / f"table{number}.csv").write_text(
            f"pseudonym,note\nP0{number},{'Siobhan O’Neil' if number % 2 else 'fine'}\n",
            encoding="utf-8")
    (root / "report.html").write_text("<p>Smith-<b>Jones</b> on 0770 090 0111</p>",
                                      encoding="utf-8")
    (root / "p03_siobhan.txt").write_text("nothing here", encoding="utf-8")
    serial = _scan([root], MATCHER, base=tmp_path, counts=(one := {}))
    parallel = _scan([root], MATCHER, base=tmp_path, counts=(two := {}), processes=2)
    assert serial == parallel and one == two
    assert {h.file for h in serial} >= {"results/report.html", "results/table1.csv",
                                        "results/<name withheld>.txt"}
