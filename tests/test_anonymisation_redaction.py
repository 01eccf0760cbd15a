"""Redaction: the gold set (100% recall on roster identifiers and patterns), hand-worked
variants of every hard case, decoys, and one mapping for transcripts and excerpts."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from conftest import REPO

from parentgroup.anonymisation.evaluation import (
    GROUPS,
    ORDINARY_GROUP,
    PATTERN_CATEGORIES,
    ROSTER_CATEGORIES,
    evaluate_gold_set,
    load_gold_set,
    parse_gold,
    score_gold_set,
)
from parentgroup.anonymisation.patterns import find_patterns
from parentgroup.anonymisation.redaction import HELD_TAG, NameDecision, Redactor, ReviewedToken

GOLD = REPO / "tests/gold"

ROSTER = pd.DataFrame([
    {"record_id": "R1", "parent_name": "Zoë Fairweather-Hughes", "parent_nicknames": "Zo",
     "child_name": "Alfie O'Neil", "child_nicknames": "Alf", "partner_name": "Chris Hughes",
     "sibling_names": "James O'Neil; Niamh", "email": "zoe.fh@example.org",
     "phone": "07700 900411", "postcode": "ZZ99 1GG"},
    {"record_id": "R2", "parent_name": "Will Price", "parent_nicknames": "",
     "child_name": "Grace Price", "child_nicknames": "Gracie", "partner_name": "",
     "sibling_names": "", "email": "", "phone": "", "postcode": ""},
    {"record_id": "R3", "parent_name": "May Okonjo", "parent_nicknames": "",
     "child_name": "Hope Okonjo", "child_nicknames": "", "partner_name": "",
     "sibling_names": "", "email": "", "phone": "", "postcode": ""},
])
SITE = {"staff": {"Grace Okafor": "Teacher", "Sam Haddad": "SENCo"},
        "school": ["Riverside Learning Centre", "Riverside"], "town": ["Ashbourne Vale"]}
KEY = {"R1": "P03", "R2": "P01", "R3": "P02"}


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor(ROSTER, SITE, KEY)


def test_gold_set_recall_is_complete_and_replacements_are_right():
    table = evaluate_gold_set(GOLD).set_index("category")
    for category in (*ROSTER_CATEGORIES, *PATTERN_CATEGORIES, *GROUPS):
        row = table.loc[category]
        assert row["gold"] > 0, f"the gold set has no {category} case"
        assert row["recall"] == 1.0, category
        # each found span has the expected replacement or is held as [Name?] for review
        assert row["correct_replacement"] + row["held_for_review"] == row["gold"], category
        assert row["wrong_family"] == 0, category
    assert table.at["ALL (token)", "recall"] == 1.0
    ordinary = table.loc[ORDINARY_GROUP]
    assert ordinary["gold"] >= 50 and ordinary["listed_for_review"] == ordinary["gold"]
    # held ones: another family's name in lower case or at a sentence start
    assert 0 < ordinary["held_for_review"] <= 5
    # measured on this gold set (208 spans): two known false positives redacted as a name,
    # both a sentence-initial capitalised word in the family's own interview ("Joy is a big
    # word for it.", "Summer is the hard time for us."), three decoys held for review
    decoys = table.loc["decoys left alone"]
    assert decoys["gold"] >= 50 and decoys["listed_for_review"] == decoys["gold"]
    assert decoys["recall"] >= 0.9
    assert table.at["decoys redacted as a name", "found"] <= 2
    assert table.at["ALL (span)", "precision"] >= 0.97


def test_gold_set_redactions_never_swallow_surrounding_whitespace():
    redactor, _, files = load_gold_set(GOLD)
    for path in files:
        text, _, _ = parse_gold(path.read_text(encoding="utf-8"), path.stem)
        for change in redactor.redact(text, path.stem, path.name)[1]:
            assert change.original == change.original.strip(), change


def test_benchmark_script_reports_and_passes():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/redaction_recall.py")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ALL (span)" in done.stdout and "decoys left alone" in done.stdout


def test_benchmark_fails_when_an_identifier_is_missed(tmp_path):
    for path in GOLD.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    # an identifier the roster does not know cannot be found: recall falls below 100%
    (tmp_path / "G-07.txt").write_text("Parent: I met {{parent|Bartholomew}} there.\n",
                                       encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "benchmarks/redaction_recall.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "parent" in done.stderr
    scored = score_gold_set(tmp_path)
    assert not scored[(scored["kind"] == "gold") & (scored["file"] == "G-07.txt")]["found"].any()


@pytest.mark.parametrize(("text", "expected"), [
    # full name, first name, surname, nickname, longest match first
    ("Alfie O'Neil came", "[Child of P03] came"),
    ("Alf and Alfie", "[Child of P03] and [Child of P03]"),
    ("the O'Neils", "the [Family of P03]"),
    # possessives 's, s' and ’s; apostrophes straight, curly or dropped
    ("Alfie's coat, James' room, Alfie’s bag", "[Child of P03]'s coat, [Sibling of P03]' room, "
     "[Child of P03]’s bag"),
    ("Alfie O’Neil and Alfie ONeil", "[Child of P03] and [Child of P03]"),
    # any letter case
    ("ALFIE and alfie and NIAMH", "[Child of P03] and [Child of P03] and [Sibling of P03]"),
    # hyphen or space in a double-barrelled name; each part alone; accents folded
    ("Zoe Fairweather Hughes, Zoë Fairweather-Hughes", "[P03], [P03]"),
    ("the Fairweather family and Hughes", "the [Family of P03] family and [Family of P03]"),
    ("ZOË, Zoe and Zoe\u0308", "[P03], [P03] and [P03]"),
    # a name split across a line break (any whitespace run)
    ("Alfie\nO'Neil and Zoë Fairweather-\n  Hughes", "[Child of P03] and [P03]"),
    # partner, staff with titles, school, town
    ("Chris' shifts; Chris Hughes", "[Partner of P03]' shifts; [Partner of P03]"),
    ("Mrs Okafor, MRS OKAFOR, Miss Okafor, Ms. Okafor, Dr Haddad, Mr Haddad",
     "[Teacher], [Teacher], [Teacher], [Teacher], [SENCo], [SENCo]"),
    ("Riverside Learning Centre in Ashbourne Vale", "[School] in [Town]"),
    # another participant named in R1's interview gets their own pseudonym
    ("Will Price and his Gracie", "[P01] and his [Child of P01]"),
])
def test_roster_variants_are_redacted(redactor, text, expected):
    assert redactor.redact(text, "R1", "t")[0] == expected


def test_a_first_name_shared_by_a_child_and_staff_goes_to_the_interviewees_family(redactor):
    # "Grace" is R2's child and the teacher's first name
    assert redactor.redact("Grace was happy", "R2", "t")[0] == "[Child of P01] was happy"
    out, _, names = redactor.redact_with_review("Grace was happy", "R1", "t")
    assert out == "[Teacher] was happy"
    assert [(n.token, n.status) for n in names] == [("Grace", "redacted: check")]


@pytest.mark.parametrize(("text", "expected"), [
    ("We had a grace period. Will you come? May I ask? It may rain.",
     "We had a grace period. Will you come? May I ask? It may rain."),
    ("In May we start, and Will the group run? I hope so.",
     "In May we start, and Will the group run? I hope so."),
    ("I will be honest, it may never go. There is hope, you know. Hope that helps.",
     "I will be honest, it may never go. There is hope, you know. Hope that helps."),
])
def test_ordinary_words_used_as_words_are_kept_and_listed(redactor, text, expected):
    out, changes, names = redactor.redact_with_review(text, "R3", "t")
    assert out == expected and changes == []
    assert names and {n.status for n in names} == {"kept: word"}


# R3 is Hope's and May's family; every case form of the name in their own interview
@pytest.mark.parametrize(("text", "expected"), [
    ("what's going on for hope", "what's going on for [Child of P02]"),
    ("I sat with hope. I talked to hope.",
     "I sat with [Child of P02]. I talked to [Child of P02]."),
    ("HOPE came home", "[Child of P02] came home"),
    ("I wonder about Hope there", "I wonder about [Child of P02] there"),
    ("Parent: Hope is calmer. May said so.", "Parent: [Child of P02] is calmer. [P02] said so."),
    ("hope's bag, Hope’s coat, HOPE'S shoes",
     "[Child of P02]'s bag, [Child of P02]’s coat, [Child of P02]'S shoes"),
    ("my daughter hope", "my daughter [Child of P02]"),
    ("Hope Okonjo and HOPE OKONJO", "[Child of P02] and [Child of P02]"),
    ("Grace and Hope", "[Teacher] and [Child of P02]"),
])
def test_ordinary_word_names_in_the_familys_own_interview(redactor, text, expected):
    out, _, names = redactor.redact_with_review(text, "R3", "t")
    assert out == expected
    assert all(n.status == "redacted: check" for n in names)


@pytest.mark.parametrize(("text", "expected", "status"), [
    # R1's interview: Hope and May are another family's (R3) names
    ("what's going on for hope", "what's going on for [Name?]", "unreviewed"),
    ("Hope is calmer.", "[Name?] is calmer.", "unreviewed"),
    ("hope said so", "[Child of P02] said so", "unreviewed"),  # a name, but someone confirms
    ("I met May at the gate", "I met [P02] at the gate", "redacted: check"),  # capitalised
    ("Hope that helps. I hope so.", "Hope that helps. I hope so.", "kept: word"),
])
def test_another_familys_ordinary_word_name_is_never_attributed_silently(redactor, text,
                                                                         expected, status):
    out, _, names = redactor.redact_with_review(text, "R1", "t")
    assert out == expected
    assert {n.status for n in names} == {status}
    assert all(n.context and n.reason for n in names)


def test_decisions_settle_held_occurrences():
    text = "Parent: what's going on for hope. Hope is calmer."
    # without decisions both are held
    plain = Redactor(ROSTER, SITE, KEY).redact_with_review(text, "R1", "t")
    assert plain[0] == "Parent: what's going on for [Name?]. [Name?] is calmer."
    decided = Redactor(ROSTER, SITE, KEY, name_decisions=[
        NameDecision("hope", "redact", file="t"),  # the person's own code
        NameDecision("Hope", "keep", file="t", offset=34)])
    out, _, names = decided.redact_with_review(text, "R1", "t")
    assert out == "Parent: what's going on for [Child of P02]. Hope is calmer."
    assert [n.status for n in names] == ["redact", "keep"]
    # a decision for another file, or another offset, settles nothing
    other = Redactor(ROSTER, SITE, KEY, name_decisions=[
        NameDecision("hope", "keep", file="other"), NameDecision("Hope", "keep", "", "t", 3)])
    assert other.redact_with_review(text, "R1", "t")[0].count(HELD_TAG) == 2


def test_a_global_keep_never_unredacts_a_name():
    decided = Redactor(ROSTER, SITE, KEY, name_decisions=[NameDecision("hope", "keep")])
    out, _, names = decided.redact_with_review("my daughter hope, and for hope", "R3", "t")
    assert out == "my daughter [Child of P02], and for [Child of P02]"


def test_an_excerpt_is_judged_in_its_transcripts_context(redactor):
    transcript = "Parent: I wonder what's going on for\nhope. It is hard."
    start = transcript.index("hope")
    excerpt = transcript[start:]
    whole, _, names = redactor.redact_with_review(transcript, "R3", "transcripts/P02.txt")
    part, _, part_names = redactor.redact_with_review(
        excerpt, "R3", "coded_excerpts.csv row 2", within=(transcript, start,
                                                            "transcripts/P02.txt"))
    assert part in whole and part.startswith("[Child of P02]")
    assert [(n.file, n.offset) for n in part_names] == [(n.file, n.offset) for n in names]
    # alone, the excerpt opens a sentence: held in the interview of another family
    alone = redactor.redact_with_review(excerpt, "R1", "coded_excerpts.csv row 2")[0]
    assert alone.startswith(HELD_TAG)


def test_every_ordinary_word_name_on_the_roster_is_known():
    redactor, _, _ = load_gold_set(GOLD)
    for name in ("grace", "hope", "may", "will", "rose", "joy", "summer", "faith", "sunny",
                 "honey", "mark", "sue", "rob", "marsh", "price", "holly", "green"):
        assert name in redactor.lexicon.ordinary, name


@pytest.mark.parametrize(("text", "category"), [
    *[(p, "phone") for p in [
        "07700 900411", "07700900411", "07700 900 411", "+44 7700 900411", "+447700900411",
        "+44 (0)7700 900411", "0044 7700 900411", "(01632) 960411", "01632 960411",
        "020 7946 0958", "0161-496-0000", "0117 496 0413", "+44 117 496 0413"]],
    *[(e, "email") for e in ["head@riverside.sch.uk", "o'neil.z@example.co.uk",
                             "J.Smith+pg@mail.example.org"]],
    *[(p, "postcode") for p in ["SW1A 1AA", "sw1a1aa", "M1 1AE", "B33 8TH", "DN55 1PT"]],
    *[(d, "date") for d in ["12/05/2025", "3/2/14", "2014-02-03", "3rd April 2016",
                            "April 3, 2016", "14 March", "the 5th of June", "March 2019",
                            "12.05.2025", "Sept 9th"]],
    *[(n, "nhs_number") for n in ["943 476 5919", "9434765919", "943-476-5919"]],
    *[(u, "url") for u in ["https://example.org/a?b=1", "www.riverside.sch.uk/parents",
                           "example.org/group"]],
])
def test_patterns_match_every_usual_form(text, category):
    found = find_patterns(f"Note: {text}. Thanks")
    assert [(text, category)] == [(f"Note: {text}. Thanks"[s:e], c) for s, e, c, _ in found]


@pytest.mark.parametrize("text", ["I have 2 children aged 7 and 11", "Session 10 at 9:30",
                                  "It cost 45 pounds", "year 2016 was hard"])
def test_patterns_leave_ordinary_numbers_alone(text):
    assert find_patterns(text) == []


def test_excerpts_are_redacted_exactly_like_their_transcript(redactor):
    roster, _, files = load_gold_set(GOLD)
    for path in files:
        text, _, _ = parse_gold(path.read_text(encoding="utf-8"), path.stem)
        whole, _ = roster.redact(text, path.stem, "t")
        for paragraph in text.split("\n\n")[1:]:
            body = paragraph.split(": ", 1)[1]
            part, _ = roster.redact(body, path.stem, "e")
            assert part in whole, (path.name, part)


def test_reviewed_tokens_are_redacted_everywhere_or_for_one_participant():
    redactor = Redactor(ROSTER, SITE, KEY, [ReviewedToken("Brightwater", "[Place]"),
                                            ReviewedToken("Kestrel", "[Club]", "R2")])
    text = "We swam at Brightwater with the Kestrel club"
    assert redactor.redact(text, "R1", "t")[0] == "We swam at [Place] with the Kestrel club"
    assert redactor.redact(text, "R2", "t")[0] == "We swam at [Place] with the [Club] club"


def test_replacements_log_the_original_with_offsets(redactor):
    text = "Ring 07700 900411, Alfie."
    out, changes = redactor.redact(text, "R1", "t")
    assert out == "Ring [Phone], [Child of P03]."
    assert [(c.offset, c.original, c.category, c.rule) for c in changes] == [
        (5, "07700 900411", "phone", "pattern:phone"), (19, "Alfie", "child", "roster:child")]


# -- every name the leak check searches for is a name the redactor replaces ----------------------
def test_a_name_in_the_parents_email_is_redacted():
    """A quote "My name is Wang ..." reached results/ when the parent's email was wang.fang@:
    the leak check searched the local part's name tokens, the redactor did not know them."""
    roster = pd.DataFrame([{"record_id": "R1", "parent_name": "王芳", "parent_nicknames": "Fang",
                            "child_name": "王小明", "email": "wang.fang@example.com"}])
    out, _ = Redactor(roster, {}, {"R1": "P01"}).redact(
        "Parent: My name is Wang Fang, Mrs Wang at the school.", "R1", "t")
    assert out == "Parent: My name is [P01] [P01], Mrs [P01] at the school."


def test_a_middle_name_and_a_joined_double_barrelled_name_are_redacted():
    roster = pd.DataFrame([{"record_id": "R1", "parent_name": "Mary Anne Lloyd-Price",
                            "child_name": "Tom Lloyd-Price"}])
    out, _ = Redactor(roster, {}, {"R1": "P01"}).redact(
        "Parent: Anne, they call me; the LloydPrice family.", "R1", "t")
    assert out == "Parent: [P01], they call me; the [Family of P01] family."


@pytest.mark.parametrize("roster_path", ["tests/gold/roster.csv", "data/raw/demo/roster.csv"])
def test_every_name_the_leak_check_searches_for_is_in_the_redactors_lexicon(roster_path):
    from parentgroup.anonymisation.lexicon import NEEDLE_KINDS, lexicon_key
    from parentgroup.leak_check.needles import build_needles

    roster = pd.read_csv(REPO / roster_path, dtype=str, keep_default_na=False)
    extra = pd.DataFrame([{"record_id": "X1", "parent_name": "Nguyễn Thị Lan",
                           "child_name": "Ольга Иванова", "sibling_names": "Babcia Ela Nowak",
                           "other_names": "Gosia", "email": "lan.nguyen+school@example.com"}])
    roster = pd.concat([roster, extra], ignore_index=True).fillna("")
    redactor = Redactor(roster, {}, {r: r for r in roster["record_id"]})
    columns = [c for c in NEEDLE_KINDS if c in roster.columns]
    missing = [(n.participant, n.field) for n in build_needles(roster, {}, columns, None)
               if (n.field in NEEDLE_KINDS or n.field.endswith("local part"))
               and "@" not in n.text and lexicon_key(n.text) not in redactor.lexicon.variants]
    assert missing == []


def test_words_of_an_email_and_name_particles_are_not_names():
    """The redactor takes the leak check's names: an email's local part ``mum.of.three`` gave
    "mum" and "three", and a particle ``Văn`` gave "van", which then replaced every "my mum",
    "three times" and "the van" of every interview with a parent's code. Words of an email
    (EMAIL_WORDS) and particles (NAME_PARTICLES) are no names alone; real name tokens of a
    local part, and the full names with their particles, still are."""
    from parentgroup.leak_check.needles import EMAIL_WORDS, NAME_PARTICLES, build_needles

    roster = pd.DataFrame({
        "record_id": ["R1", "R2"], "parent_name": ["Jane Doe", "Nguyễn Văn Minh"],
        "child_name": ["Tom Doe", "Ludwig van Beethoven"],
        "email": ["mum.of.three@example.com", "wang.fang@example.com"],
        "consent_quotes": ["yes", "yes"]})
    needles = {n.text for n in build_needles(roster, {}, ["parent_name", "child_name", "email"],
                                             None)}
    assert {"mum", "three", "van"}.isdisjoint(needles)
    assert {"wang", "fang", "nguyen van minh", "ludwig van beethoven"} <= needles
    assert {"mum", "three"} <= EMAIL_WORDS and "van" in NAME_PARTICLES
    text = "My mum said it three times; we took the van. Wang said Minh came."
    redacted, _ = Redactor(roster, {}, {"R1": "P01", "R2": "P02"}).redact(text, "R1", "t")
    assert redacted.startswith("My mum said it three times; we took the van. [P02] said")
    assert "Minh" not in redacted
