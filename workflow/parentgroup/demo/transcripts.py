"""Synthetic semi-structured interviews assembled from the passage bank (SYNTHETIC DATA).

An interview follows one topic guide: opening, who is at home, the six themes in the guide's
order (a question, a passage, a probe, a second passage), contact between sessions, closing.
Which alternatives a parent gets is drawn from the seeded generator; the family's details fill
the placeholders. Each turn is one paragraph (``Interviewer: ...`` / ``Parent: ...``), turns are
separated by a blank line and hard-wrapped at 88 characters (never at a hyphen), so a full name
can be split across a line break, as in exported transcripts.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field

import numpy as np

from parentgroup.demo import passages
from parentgroup.demo.people import SCHOOL, STAFF, TOWN, Family

HEADER = "[SYNTHETIC DEMO TRANSCRIPT - fictional people and places]"
WIDTH = 88
PARENT_WORD = {"mother": "mum", "father": "dad", "grandparent": "nan", "carer": "carer"}


@dataclass(frozen=True)
class Passage:
    """A parent turn that carries a codable excerpt."""

    theme: str
    code: str
    start: int  # codepoint offset of the excerpt in the transcript text
    end: int  # exclusive
    variant: int = 0  # which wording of the coded sentence (0: THEMES, 1-2: VARIANTS)


@dataclass
class Interview:
    record_id: str
    text: str = ""
    passages: list[Passage] = field(default_factory=list)


def possessive(name: str, curly: bool = False) -> str:
    """English possessive: ``Alfie's``, ``Chris'`` (a name ending in s takes the apostrophe)."""
    mark = "’" if curly else "'"
    return f"{name}{mark}" if name.endswith("s") else f"{name}{mark}s"


def placeholders(family: Family, other: Family) -> dict[str, str]:
    """The values that fill a passage's placeholders for one family."""
    boy = family.child_gender == "boy"
    siblings = family.sibling_firsts or ["my sister"]
    partner = family.partner_first or "my mum"
    return {
        "child": family.child_first,
        "nick": family.child_nick,
        "child_s": possessive(family.child_first),
        "nick_curly": possessive(family.child_nick, curly=True),
        "he": "he" if boy else "she",
        "He": "He" if boy else "She",
        "him": "him" if boy else "her",
        "his": "his" if boy else "her",
        "partner": partner,
        "partner_s": possessive(partner),
        "sib": siblings[0],
        "sib2": siblings[-1] if len(siblings) > 1 else "my niece",
        "parent_word": PARENT_WORD.get(family.relationship, "parent"),
        "other": other.called,
        "other_her": "his" if other.relationship == "father" else "her",
        "other_child": "son" if other.child_gender == "boy" else "daughter",
        "teacher_full": STAFF["teacher"][0],
        "teacher": STAFF["teacher"][1],
        "teacher_first": STAFF["teacher"][2],
        "senco_full": STAFF["senco"][0],
        "senco": STAFF["senco"][1],
        "fsw_full": STAFF["fsw"][0],
        "fsw": STAFF["fsw"][1],
        "school": SCHOOL[0],
        "school_short": SCHOOL[1],
        "town": TOWN,
        "CHILD_FULL": family.child_name.upper(),
        "partner_lower": partner.lower(),
        "sib_lower": siblings[0].lower(),
    }


def _sentence_start(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Writer:
    """Accumulates turns and knows every turn's offset in the final text."""

    def __init__(self) -> None:
        self.parts: list[str] = [HEADER]
        self.length = len(HEADER)

    def turn(self, speaker: str, text: str) -> int:
        """Append a wrapped turn; returns the offset of its first character."""
        flat = f"{speaker}: {text}"
        wrapped = textwrap.fill(flat, width=WIDTH, break_on_hyphens=False,
                                break_long_words=False)
        if wrapped.replace("\n", " ") != flat:
            raise ValueError(f"wrapping changed the text of a turn: {flat[:60]!r}")
        start = self.length + 2
        self.parts.append(wrapped)
        self.length = start + len(wrapped)
        return start + len(speaker) + 2

    def text(self) -> str:
        return "\n\n".join(self.parts) + "\n"


def with_variant(template: str, sentence: str | None) -> str:
    """The passage with its coded sentence (between « and ») replaced by ``sentence``."""
    if sentence is None:
        return template
    return re.sub("«.*?»", lambda _: f"«{sentence}»", template, count=1, flags=re.S)


def theme_assignments(rng: np.random.Generator, n: int) -> list[dict[str, list[tuple[int, int]]]]:
    """Per interview and theme, the two (passage, wording) pairs it is told, first the one that
    is coded. Each theme's 15 pairs (5 passages x 3 wordings of the coded sentence) are put in a
    seeded order; interview i is told pair i first, so up to 15 interviews never share a first
    (coded) excerpt, and a second pair from another passage, taken from the unused pairs first.
    """
    out: list[dict[str, list[tuple[int, int]]]] = [{} for _ in range(n)]
    for theme, bank in passages.THEMES.items():
        k = len(bank["passages"])
        wordings = 1 + len(passages.VARIANTS.get(theme, {}).get(bank["passages"][0][0], []))
        pairs = [(p, v) for p in range(k) for v in range(wordings)]
        order = [pairs[int(i)] for i in rng.permutation(len(pairs))]
        for i in range(n):
            first = order[i % len(order)]
            rest = order[n:] + order[:n]
            second = next(pair for j, pair in enumerate(rest[i:] + rest[:i])
                          if pair[0] != first[0])
            out[i][theme] = [first, second]
    return out


def _coded(template: str, values: dict[str, str]) -> tuple[str, int, int]:
    """Fill a passage; returns the text without the markers and the marked span."""
    filled = _sentence_start(template.format(**values))
    start = filled.index("«")
    end = filled.index("»") - 1
    return filled.replace("«", "").replace("»", ""), start, end


def interview(
    family: Family,
    other: Family,
    rng: np.random.Generator,
    *,
    family_variant: int,
    contact_variant: int,
    shout: bool = False,
    lower: bool = False,
    told: dict[str, list[tuple[int, int]]] | None = None,
) -> Interview:
    """One synthetic interview with the spans of its theme passages (all of them, coded or not).

    ``family_variant`` and ``contact_variant`` index ``passages.FAMILY`` and
    ``passages.CONTACT`` (assigned across the site so that every identifier kind occurs);
    ``shout``/``lower`` add the sentence that names the child in capitals / family in lower case.
    ``told`` (:func:`theme_assignments`) gives per theme the two (passage, wording) pairs in the
    order told; without it two passages are drawn, in bank order, with their first wording.
    """
    values = placeholders(family, other)
    fill = lambda template: _sentence_start(template.format(**values))  # noqa: E731
    pick = lambda bank: bank[int(rng.integers(len(bank)))]  # noqa: E731
    writer = _Writer()
    result = Interview(family.record_id)
    writer.turn("Interviewer", fill(pick(passages.INTRO_QUESTIONS)))
    writer.turn("Parent", fill(pick(passages.INTROS)))
    writer.turn("Interviewer", fill(pick(passages.FAMILY_QUESTIONS)))
    writer.turn("Parent", fill(passages.FAMILY[family_variant]))
    probes = [int(i) for i in rng.permutation(len(passages.PROBES))]
    for number, (theme, bank) in enumerate(passages.THEMES.items()):
        writer.turn("Interviewer", fill(pick(bank["questions"])))
        if told is None:
            chosen = [(int(i), 0) for i in sorted(
                rng.choice(len(bank["passages"]), 2, replace=False))]
        else:
            chosen = told[theme]
        for n, (choice, variant) in enumerate(chosen):
            code, template = bank["passages"][choice]
            wording = passages.VARIANTS[theme][code][variant - 1] if variant else None
            text, start, end = _coded(with_variant(template, wording), values)
            offset = writer.turn("Parent", text)
            result.passages.append(Passage(theme, code, offset + start, offset + end, variant))
            if n == 0:
                writer.turn("Interviewer", passages.PROBES[probes[number]])
        if number == 3:
            writer.turn("Interviewer", pick(passages.CONTACT_QUESTIONS))
            writer.turn("Parent", fill(passages.CONTACT[contact_variant]))
    question, closing = pick(passages.CLOSINGS)
    writer.turn("Interviewer", question)
    closing = fill(closing)
    said = "\n\n".join(writer.parts).replace("\n", " ")
    if not re.search(rf"\b{re.escape(other.called)}\b", said):
        closing += " " + passages.GREETING.format(**values)
    if shout:
        closing += " " + passages.SHOUTED.format(**values)
    if lower:
        closing += " " + passages.LOWER.format(**values)
    writer.turn("Parent", closing)
    writer.turn("Interviewer", "Thank you so much, that's really helpful.")
    result.text = writer.text()
    return result
