"""Names in every spelling Unicode allows: precomposed (NFC) or with combining marks (NFD),
accented or plain, in Latin, Latin Extended, Vietnamese, Greek and Cyrillic letters. The
redactor's accent table is derived from Unicode, so no letter of these blocks is missing (a
hand-made table missed ễ, ọ, ả, ř, ș, й ..., and those names stayed verbatim in the outputs, with
a reviewer's ``redact`` decision on them shown as applied)."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from parentgroup.anonymisation.lexicon import variant_regex
from parentgroup.anonymisation.redaction import Redactor, ReviewedToken
from parentgroup.anonymisation.review import Decision, apply_decisions, review_items
from parentgroup.spelling import fold, plain_view

#: Latin, Latin-1 Supplement, Latin Extended-A/B, IPA, Greek, Cyrillic, Latin Extended
#: Additional (Vietnamese), Greek Extended.
BLOCKS = ((0x0041, 0x005A), (0x0061, 0x007A), (0x00C0, 0x02AF), (0x0370, 0x03FF),
          (0x0400, 0x052F), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF))
LETTERS = sorted(chr(c) for low, high in BLOCKS for c in range(low, high + 1)
                 if chr(c).isalpha() and fold(chr(c)).isalpha())
AUDIT_NAMES = ("Nguyễn", "Trần", "Ngọc", "Bảo", "Дмитрий", "Dvořák", "Wałęsa", "Ștefan", "Jiří")
FORMS = ("NFC", "NFD")


def roster(parent: str, child: str = "Sam Lee") -> pd.DataFrame:
    return pd.DataFrame([{"record_id": "R1", "parent_name": parent, "child_name": child}])


def matches(key: str, text: str) -> bool:
    return re.fullmatch(variant_regex(key), plain_view(text)[0], re.IGNORECASE) is not None


def test_every_letter_of_the_blocks_is_found_in_nfc_and_nfd():
    missed = [c for c in LETTERS for form in FORMS
              if not matches(fold(f"X{c}ab"), unicodedata.normalize(form, f"X{c}ab"))]
    assert missed == []


@pytest.mark.parametrize("name", AUDIT_NAMES)
@pytest.mark.parametrize("form", FORMS)
def test_the_audits_names_match_their_own_fold(name, form):
    text = unicodedata.normalize(form, name)
    assert matches(fold(text), text)
    assert matches(fold(name), text)  # the roster in NFC, the transcript in NFD (or back)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("roster_form", FORMS)
def test_roster_names_are_redacted_whatever_the_normal_form(form, roster_form):
    name = unicodedata.normalize(roster_form, "Nguyễn Thị Lan")
    partner = unicodedata.normalize(roster_form, "Trần Văn Hùng")
    frame = roster(name).assign(partner_name=partner, sibling_names="Bảo Ngọc; Jiří Dvořák")
    redactor = Redactor(frame, {}, {"R1": "P13"})
    text = unicodedata.normalize(
        form, "Parent: Nguyễn here. Trần works nights; Hùng too. Ngọc and Jiří walk with Bảo.")
    out, _ = redactor.redact(text, "R1", "t")
    # the lexicon reads the first word as the given name, the last as the family's
    assert out == ("Parent: [P13] here. [Partner of P13] works nights; [Family of P13] too. "
                   "[Family of P13] and [Sibling of P13] walk with [Sibling of P13].")


@pytest.mark.parametrize("form", FORMS)
def test_a_redact_decision_on_an_accented_token_changes_the_text(form):
    """``Nguyễn,redact,[Name]`` showed status redact on the review list while the text kept
    the name: the decision's token never matched its own spelling."""
    redactor = Redactor(roster("Ann Lee"), {}, {"R1": "P01"},
                        [ReviewedToken("Nguyễn", "[Name]"), ReviewedToken("Дмитрий", "[Name]")])
    text = unicodedata.normalize(form, "We met Nguyễn's aunt and Дмитрий at the gate.")
    out, changes = redactor.redact(text, "R1", "t")
    assert out == "We met [Name]'s aunt and [Name] at the gate."
    assert [c.rule for c in changes] == ["review decision"] * 2


def test_a_decision_typed_precomposed_settles_a_review_item_typed_with_marks():
    text = unicodedata.normalize("NFD", "Parent: we saw Ștefan today.")
    items = review_items(text, "transcripts/P01.txt", set())
    frame, _ = apply_decisions(items, [Decision("Ștefan", "keep", "")], release=False)
    assert frame["status"].tolist() == ["keep"]


def test_letters_that_unicode_does_not_decompose_read_plain():
    for name, plain in (("Łukasz", "Lukasz"), ("Søren", "Soren"), ("Đorđe", "Dorde"),
                        ("Groß", "Gross"), ("Æthelred", "Aethelred"), ("Œdipe", "Oedipe"),
                        ("Þóra", "Thora"), ("Ŀlibre", "Llibre")):
        assert fold(name) == fold(plain), name
        assert matches(fold(plain), name) and matches(fold(name), plain), name


name_words = st.text(alphabet=st.sampled_from(LETTERS), min_size=2, max_size=10)


@settings(max_examples=300, deadline=None)
@given(first=name_words, last=name_words, form=st.sampled_from(FORMS),
       roster_form=st.sampled_from(FORMS))
def test_any_name_from_the_blocks_matches_its_fold_in_either_normal_form(
        first, last, form, roster_form):
    name = f"{first} {last}"
    text = unicodedata.normalize(form, name)
    assert matches(fold(unicodedata.normalize(roster_form, name)), text)


@settings(max_examples=60, deadline=None)
@given(first=name_words, last=name_words, form=st.sampled_from(FORMS))
def test_any_roster_name_from_the_blocks_is_redacted_in_running_text(first, last, form):
    # a name that is not itself one of the sentence's words (a surname "So" is rightly
    # redacted in "so"), and a child whose name has no letter in common with them
    words = {"parent", "so", "said", "it", "and", "too"}
    assume(fold(first) not in words and fold(last) not in words)
    frame = roster(f"{first} {last}", child="Qqq Zzz")
    redactor = Redactor(frame, {}, {"R1": "P01"})
    text = unicodedata.normalize(form, f"Parent: so {first} {last} said it, and {first} too.")
    out, _ = redactor.redact(text, "R1", "t")
    assert out == "Parent: so [P01] said it, and [P01] too."


def test_initials_typed_with_combining_marks_are_listed():
    from parentgroup.anonymisation.lexicon import person_initials
    from parentgroup.anonymisation.review import initials_items

    initials = person_initials(roster("Świętosław Wiśniewski"), {})
    text = unicodedata.normalize("NFD", "Parent: Ś.W. signed it.")
    assert [i["token"] for i in initials_items(text, "t", initials)] == [
        unicodedata.normalize("NFD", "Ś.W.")]


# -- names in scripts written without spaces (Chinese, Japanese, Korean) -------------------------
CJK_ROSTER = pd.DataFrame([
    {"record_id": "R1", "parent_name": "王芳", "parent_nicknames": "Fang", "child_name": "王小明",
     "child_nicknames": "Xiaoming", "partner_name": "李伟", "sibling_names": "欧阳丽华"},
    {"record_id": "R2", "parent_name": "김지영", "child_name": "이민준"},
])
CJK_KEY = {"R1": "P01", "R2": "P02"}


def test_a_cjk_full_name_yields_its_given_name():
    out, _ = Redactor(CJK_ROSTER, {}, CJK_KEY).redact(
        "Parent: 小明, Xiaoming, is my son, 王小明 on his passport; 丽华 is his sister.", "R1", "t")
    assert out == ("Parent: [Child of P01], [Child of P01], is my son, [Child of P01] on his "
                   "passport; [Sibling of P01] is his sister.")


@pytest.mark.parametrize("form", FORMS)
def test_cjk_names_are_found_inside_running_text(form):
    redactor = Redactor(CJK_ROSTER, {}, CJK_KEY)
    chinese, _ = redactor.redact("小明说他今天很开心。我和小明的老师谈过。李伟也来了。", "R1", "t")
    assert chinese == ("[Child of P01]说他今天很开心。我和[Child of P01]的老师谈过。"
                       "[Partner of P01]也来了。")
    # Korean particles follow a name without a space; a text may hold Hangul as jamo (NFD)
    korean, _ = redactor.redact(unicodedata.normalize(form, "민준이는 학교에 갔어요. 지영 씨."),
                                "R2", "t")
    assert korean == unicodedata.normalize(form, "[Child of P02]이는 학교에 갔어요. [P02] 씨.")


def test_a_one_character_given_name_or_family_name_is_not_searched_alone():
    redactor = Redactor(CJK_ROSTER, {}, CJK_KEY)
    out, _ = redactor.redact("王芳: 我们很忙，芳香的花。王先生。", "R1", "t")
    assert out == "[P01]: 我们很忙，芳香的花。王先生。"


def test_words_in_a_script_without_capitals_are_on_the_review_list():
    text = "Parent: 小红 came with فاطمة. 佐藤 said no. Then we left."
    items = review_items(text, "t", set())
    assert [(i["token"], i["kind"]) for i in items] == [
        ("小红", "caseless script"), ("فاطمة", "caseless script"), ("佐藤", "caseless script")]
