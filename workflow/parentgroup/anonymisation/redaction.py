"""Roster-driven redaction of transcripts and coded excerpts.

Order of work on one text (UK Data Service practice; the reference design's §6):

1. patterns (:mod:`.patterns`): emails, URLs, NHS numbers, phones, postcodes, dates;
2. the roster's own phone numbers in any spacing (``07700900411``, ``+44 7700 900 411``);
3. every variant in the roster lexicon (:mod:`.lexicon`), longest first, with Presidio's
   deny-list boundaries ``(?:^|(?<=\\W))...(?=\\W|$)`` rather than ``\\b``, so an apostrophe
   or hyphen ends a name and possessives keep their ending (``Alfie's`` -> ``[Child of P03]'s``).

Replacements are bracketed and consistent in every file: ``[P03]`` for a parent (the
interviewee, or another group member under their own pseudonym), ``[Child of P03]``,
``[Partner of P03]``, ``[Sibling of P03]``, ``[Family of P03]`` for a surname alone, staff as
``[<role>]``, ``[School]``, ``[Town]``, and the pattern tags. A name several people share is
resolved in favour of the interviewee's own family, then staff and places, then the other
families in record order, and is flagged for review.

Names that are also ordinary words (Grace, May, Will, Hope, Rose, ...) are redacted when
capitalised, unless they open a sentence or a clause as a modal verb before a subject
("Will you ...?", "and May I ...", but not "going on for Will there") or are a month
("in May"), and in lower case only in name context (a possessive, "my daughter grace"). Every
such redaction is flagged for review. Recall comes first; precision on decoys ("grace
period", "Will you", "may") is measured by ``benchmarks/redaction_recall.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from parentgroup.anonymisation.lexicon import (
    Lexicon,
    Referent,
    build_lexicon,
    lexicon_key,
    variant_regex,
)
from parentgroup.anonymisation.patterns import find_patterns

MODALS = frozenset({"will", "may", "can", "might", "must"})
MONTH_NAMES = frozenset({"april", "may", "june", "august"})
_SUBJECT_AFTER_MODAL = re.compile(
    r"\s+(?:you|i|we|they|he|she|it|not|there|this|that|these|those|the|a|an|your|my|our|his|"
    r"her|their|someone|anyone|everyone|people|parents|be|have|also|still|just|never|always|"
    r"well|really|even|only|all|both|so)\b", re.I)
_MONTH_BEFORE = re.compile(
    r"\b(?:in|since|until|till|by|before|after|early|late|mid|last|next|this|of|during|from|"
    r"through|around|end|start|beginning)[\s-]+$", re.I)
_NAME_CONTEXT_BEFORE = re.compile(
    r"\b(?:daughter|son|boy|girl|child|kid|sister|brother|sibling|partner|husband|wife|mum|mom|"
    r"mother|dad|father|nan|nanna|gran|grandma|grandad|friend|teacher|little|baby|called|named|"
    r"mrs|mr|ms|miss|mx|dr)\.?\s+$", re.I)
_CLAUSE_BEFORE = re.compile(r"(?:\b(?:and|but|or|so|then)|[,;:])\s*$", re.I)
_POSSESSIVE_AFTER = re.compile(r"['’]s?(?!\w)")
SITE_KINDS = frozenset({"staff", "school", "town", "reviewed"})
RANK = {"parent": 0, "child": 1, "partner": 2, "sibling": 3, "family": 4, "email": 5,
        "postcode": 5}


@dataclass
class Replacement:
    """One change made to one text (the row of the secure anonymisation log)."""

    file: str
    offset: int  # in the original text
    category: str
    rule: str
    original: str
    replacement: str
    review: str = ""  # why a human should look at it: "common-word name", "ambiguous name"


@dataclass(frozen=True)
class ReviewedToken:
    """A reviewer's ``redact`` decision: the token, its replacement, and (optionally) the only
    participant (record_id) in whose texts it applies."""

    token: str
    replacement: str = "[Redacted]"
    record_id: str = ""


def starts_sentence(text: str, start: int) -> bool:
    """Whether ``text[start:]`` opens a sentence: at the start of the text, after . ! ? (and
    closing quotes), an opening quote or bracket, a speaker label (``Parent:``) or a blank line.
    A single line break (a wrapped line) does not start a sentence.

    >>> starts_sentence("Parent: Will you", 8), starts_sentence("for\\nWill there", 4)
    (True, False)
    """
    before = text[max(0, start - 40):start]
    if re.search(r"(?:[.!?…][\"”’')\]]*|[\"“‘(])\s*$", before):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_before = text[line_start:start]
    if re.fullmatch(r"\s*[^\W\d_][\w ]{0,30}:\s*", line_before):
        return True
    if line_before.strip():
        return False
    return not text[:line_start].strip() or bool(re.search(r"\n\s*\n\s*$", text[:start]))


def _phone_regex(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    for prefix in ("0044", "44", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 9:
            digits = digits[len(prefix):]
            break
    if len(digits) < 9:
        return None
    body = r"[\s.\-()]*".join(digits)
    return rf"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)?{body}(?!\d)"


class Redactor:
    """Redacts one site's texts with one consistent mapping (transcripts and excerpts alike).

    ``roster``: the roster DataFrame (docs/data-contracts.md §0); ``identifiers``: the site's
    ``identifiers`` (staff ``name -> role``, ``school`` and ``town`` lists); ``pseudonyms``:
    record_id -> pseudonym from the linkage key; ``reviewed``: the reviewers' ``redact``
    decisions (:class:`ReviewedToken`, or a plain ``token -> replacement`` mapping).
    """

    def __init__(self, roster: pd.DataFrame, identifiers: dict | None,
                 pseudonyms: dict[str, str],
                 reviewed: Iterable[ReviewedToken] | dict[str, str] | None = None):
        self.pseudonyms = dict(pseudonyms)
        self.lexicon: Lexicon = build_lexicon(roster, identifiers)
        if isinstance(reviewed, dict):
            reviewed = [ReviewedToken(t, r) for t, r in sorted(reviewed.items())]
        for item in sorted(reviewed or [], key=lambda r: (r.token, r.record_id)):
            self.lexicon.add(item.token, Referent("reviewed", item.record_id, item.replacement,
                                                  scope=item.record_id or "*"))
        keys = sorted(self.lexicon.variants, key=lambda k: (-len(k), k))
        alternation = "|".join(variant_regex(k) for k in keys) or r"(?!x)x"
        self.pattern = re.compile(rf"(?:^|(?<=\W))(?:{alternation})(?=\W|$)")
        phones = []
        for phone in (roster["phone"] if "phone" in roster.columns else []):
            regex = _phone_regex(str(phone or ""))
            if regex:
                phones.append(regex)
        self.roster_phones = re.compile("|".join(sorted(set(phones)))) if phones else None

    # -- decisions ---------------------------------------------------------------------------
    def _choose(self, referents: list[Referent], participant: str) -> Referent | None:
        usable = [r for r in referents if r.scope in {"", "*", participant}]
        if not usable:
            return None

        def rank(r: Referent) -> tuple:
            if r.kind == "reviewed":
                group = 1
            elif r.record_id and r.record_id == participant:
                group = 0
            elif r.kind in SITE_KINDS:
                group = 1
            else:
                group = 2
            return (group, RANK.get(r.kind, 6), r.record_id, r.template)

        return sorted(usable, key=rank)[0]

    @staticmethod
    def _used_as_name(text: str, start: int, end: int, key: str) -> bool:
        """Whether an ordinary-word name (Grace, Will, May) is used as a name here."""
        matched = text[start:end]
        before = text[max(0, start - 30):start]
        possessive = bool(_POSSESSIVE_AFTER.match(text, end))
        if not any(c.isupper() for c in matched):
            return possessive or bool(_NAME_CONTEXT_BEFORE.search(before))
        if possessive or _NAME_CONTEXT_BEFORE.search(before):
            return True
        if (key in MODALS and _SUBJECT_AFTER_MODAL.match(text, end)
                and (starts_sentence(text, start) or _CLAUSE_BEFORE.search(before))):
            return False
        return not (key in MONTH_NAMES and (_MONTH_BEFORE.search(before)
                                            or re.match(r"\s+\d", text[end:end + 3])))

    # -- the redaction -----------------------------------------------------------------------
    def redact(self, text: str, participant_record_id: str, file_label: str
               ) -> tuple[str, list[Replacement]]:
        """Redact ``text`` from the interview of ``participant_record_id``.

        Returns the redacted text and one :class:`Replacement` per change, in text order
        (offsets refer to the input text).

        >>> roster = pd.DataFrame({"record_id": ["R1"], "parent_name": ["Zoë Price"],
        ...                        "child_name": ["Alfie Price"], "phone": ["07700 900411"]})
        >>> Redactor(roster, {}, {"R1": "P03"}).redact("ZOE said Alfie's fine", "R1", "t")[0]
        "[P03] said [Child of P03]'s fine"
        """
        spans: list[tuple[int, int, str, str, str, str]] = []
        for start, end, category, replacement in find_patterns(text):
            spans.append((start, end, category, f"pattern:{category}", replacement, ""))
        taken = [(s, e) for s, e, *_ in spans]

        def free(start: int, end: int) -> bool:
            return not any(start < e and s < end for s, e in taken)

        if self.roster_phones is not None:
            for match in self.roster_phones.finditer(text):
                if free(*match.span()):
                    spans.append((*match.span(), "phone", "roster:phone", "[Phone]", ""))
                    taken.append(match.span())
        for match in self.pattern.finditer(text):
            start, end = match.span()
            if not free(start, end):
                continue
            key = lexicon_key(match.group())
            referent = self._choose(self.lexicon.variants.get(key, []), participant_record_id)
            if referent is None:
                continue
            review = ""
            if key in self.lexicon.ordinary and referent.kind != "reviewed":
                if not self._used_as_name(text, start, end, key):
                    continue
                review = "common-word name"
            elif self.lexicon.ambiguous(key):
                review = "ambiguous name"
            pseudonym = self.pseudonyms.get(referent.record_id, "another participant")
            replacement = referent.template.replace("{p}", pseudonym)
            rule = ("review decision" if referent.kind == "reviewed"
                    else f"site:{referent.kind}" if referent.kind in SITE_KINDS
                    else f"roster:{referent.kind}")
            spans.append((start, end, referent.kind, rule, replacement, review))
            taken.append((start, end))
        spans.sort()
        out, cursor, changes = [], 0, []
        for start, end, category, rule, replacement, review in spans:
            out.append(text[cursor:start])
            out.append(replacement)
            cursor = end
            changes.append(Replacement(file_label, start, category, rule, text[start:end],
                                       replacement, review))
        out.append(text[cursor:])
        return "".join(out), changes
