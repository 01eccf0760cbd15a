"""Roster-driven redaction of transcripts and coded excerpts.

Order of work on one text (UK Data Service practice; the reference design's §6):

1. patterns (:mod:`.patterns`): emails, URLs, NHS numbers, phones, postcodes, dates;
2. the roster's own phone numbers in any spacing (``07700900411``, ``+44 7700 900 411``);
3. every variant in the roster lexicon (:mod:`.lexicon`), longest first, with Presidio's
   deny-list boundaries ``(?:^|(?<=\\W))...(?=\\W|$)`` rather than ``\\b``, so an apostrophe
   or hyphen ends a name and possessives keep their ending (``Alfie's`` -> ``[Child of P03]'s``);
   names are searched in the text's plain view (:func:`parentgroup.spelling.plain_view`), so a
   name typed precomposed (NFC, ``Nguyễn``), with combining marks (NFD) or plain (``Nguyen``)
   is found alike.

Replacements are bracketed and consistent in every file: ``[P03]`` for a parent (the
interviewee, or another group member under their own pseudonym), ``[Child of P03]``,
``[Partner of P03]``, ``[Sibling of P03]``, ``[Person known to P03]`` for a name from the
roster's ``other_names``, ``[Family of P03]`` for a surname alone, staff as
``[<role>]``, ``[School]``, ``[Town]``, and the pattern tags. A name several people share is
resolved in favour of the interviewee's own family, then staff and places, then the other
families in record order, and is flagged for review.

Names that are also ordinary words (Grace, May, Will, Hope, Rose, Price ...) are judged per
occurrence by :func:`.ordinary_words.classify`: redacted as the person, kept as the word, or,
when the text does not say, replaced by the neutral tag ``[Name?]`` until a reviewer decides
(``review_decisions.csv``). Every such occurrence, whatever the verdict, is returned as a
:class:`NameOccurrence` for the review list, so none is kept or attributed silently. Recall
comes first; precision on decoys ("grace period", "Will you", "may") is measured by
``benchmarks/redaction_recall.py``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from parentgroup.anonymisation.lexicon import (
    NAME_END,
    NAME_START,
    Lexicon,
    Referent,
    build_lexicon,
    lexicon_key,
    person_initials,
    unspaced,
    variant_regex,
)
from parentgroup.anonymisation.ordinary_words import case_form, classify
from parentgroup.anonymisation.patterns import find_patterns
from parentgroup.spelling import original_span, plain_view

#: What an occurrence held for review shows until a reviewer decides: a name, but nobody's.
HELD_TAG = "[Name?]"
PERSON_KINDS = frozenset({"parent", "child", "partner", "sibling", "other", "family", "staff"})
CONTEXT = 40

SITE_KINDS = frozenset({"staff", "school", "town", "reviewed"})
RANK = {"parent": 0, "child": 1, "partner": 2, "sibling": 3, "family": 4, "other": 4,
        "email": 5, "postcode": 5}


@dataclass
class Replacement:
    """One change made to one text (the row of the secure anonymisation log)."""

    file: str
    offset: int  # in the original text
    category: str
    rule: str
    original: str
    replacement: str
    review: str = ""  # why a human should look at it: "ambiguous name"


@dataclass
class NameOccurrence:
    """One occurrence of a name that is also an ordinary word, and what was done with it.

    ``file``/``offset`` locate it for the review list and for decisions: the transcript's label
    and the offset in the original transcript, also when it was found in a coded excerpt of that
    transcript. ``status``: ``redacted: check`` (redacted as the person), ``kept: word``,
    ``unreviewed`` (held as ``[Name?]``, or another family's code awaiting confirmation),
    ``keep`` / ``redact`` (a reviewer's decision). ``shown`` is the replacement in the text
    ('' when the word is kept); ``as_name`` the person's replacement."""

    file: str
    offset: int
    token: str
    status: str
    reason: str
    shown: str
    as_name: str
    context: str
    output_offset: int = -1  # where the token (or its replacement) starts in the output text


@dataclass(frozen=True)
class NameDecision:
    """A reviewer's decision on an ordinary-word name: ``keep`` or ``redact`` (with
    ``replacement``, or the person's own replacement when empty), for ``token`` (as written;
    case-insensitive when no decision has the exact spelling), in ``file`` ('' = every file,
    else the label as on the review list, or a prefix of it) at ``offset`` (None = every
    occurrence). Without an offset a ``keep`` settles only occurrences held for review and a
    ``redact`` also those kept as words; with one it settles that occurrence whatever its
    verdict."""

    token: str
    decision: str
    replacement: str = ""
    file: str = ""
    offset: int | None = None


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
                 reviewed: Iterable[ReviewedToken] | dict[str, str] | None = None, *,
                 name_decisions: Iterable[NameDecision] = (),
                 identifier_columns: Iterable[str] = ()):
        self.pseudonyms = dict(pseudonyms)
        self.lexicon: Lexicon = build_lexicon(roster, identifiers, tuple(identifier_columns))
        self.initials = person_initials(roster, identifiers)
        self.name_decisions = sorted(name_decisions, key=lambda d: (
            d.offset is None, not d.file, -len(d.file), d.token, d.decision))
        if isinstance(reviewed, dict):
            reviewed = [ReviewedToken(t, r) for t, r in sorted(reviewed.items())]
        for item in sorted(reviewed or [], key=lambda r: (r.token, r.record_id)):
            if lexicon_key(item.token) in self.lexicon.ordinary:
                continue  # a decision on a name that is also a word: a NameDecision
            self.lexicon.add(item.token, Referent("reviewed", item.record_id, item.replacement,
                                                  scope=item.record_id or "*"))
        keys = sorted(self.lexicon.variants, key=lambda k: (-len(k), k))
        alternation = "|".join(variant_regex(k) for k in keys if not unspaced(k)) or r"(?!x)x"
        # a name in a script without spaces runs on into the words around it (小明说): no
        # boundary on that side
        running = "|".join(
            (NAME_START if not unspaced(k[0]) else "") + variant_regex(k)
            + (NAME_END if not unspaced(k[-1]) else "") for k in keys if unspaced(k))
        # searched in the text's plain view (spelling.plain_view): NFC, NFD and plain alike
        self.pattern = re.compile(rf"{NAME_START}(?:{alternation}){NAME_END}"
                                  + (f"|{running}" if running else ""), re.IGNORECASE)
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

    def _is_person(self, word: str) -> bool:
        """Whether a neighbouring word is a roster person (an ordinary-word name only when
        capitalised)."""
        key = lexicon_key(word)
        if not any(r.kind in PERSON_KINDS for r in self.lexicon.variants.get(key, [])):
            return False
        return key not in self.lexicon.ordinary or word[:1].isupper()

    def _name_decision(self, token: str, file: str, offset: int, status: str
                       ) -> NameDecision | None:
        """The most specific reviewer decision that settles this occurrence, or None."""
        token = unicodedata.normalize("NFC", token)
        for exact in (True, False):
            for d in self.name_decisions:
                written = unicodedata.normalize("NFC", d.token)
                same = written == token if exact else written.casefold() == token.casefold()
                if not same or (d.file and not file.startswith(d.file)):
                    continue
                if d.offset is not None:
                    if d.offset == offset:
                        return d
                    continue
                if status == "unreviewed" or (d.decision == "redact" and status == "kept: word"):
                    return d
        return None

    def _judge(self, text: str, start: int, end: int, key: str, referent: Referent,
               participant: str, where: tuple[str, int, str] | None, label: str
               ) -> tuple[NameOccurrence, str]:
        """Verdict, decision and review entry for one ordinary-word name occurrence; returns
        the occurrence and the replacement to write ('' = keep the word)."""
        if where is not None:
            full, base, file = where
            text_, s, e = full, base + start, base + end
        else:
            text_, s, e, file = text, start, end, label
        home = referent.record_id == participant or referent.kind in SITE_KINDS
        initial = starts_sentence(text_, s)
        usage = classify(text_, s, e, key, initial=initial, home=home,
                         is_person=self._is_person)
        pseudonym = self.pseudonyms.get(referent.record_id, "another participant")
        as_name = referent.template.replace("{p}", pseudonym)
        reason = usage.reason
        if self.lexicon.ambiguous(key):
            reason += "; several people have this name"
        if usage.verdict == "name":
            confirmed = home or (case_form(text[start:end]) != "lower" and not initial)
            status, shown = ("redacted: check" if confirmed else "unreviewed"), as_name
            if not confirmed:
                reason += "; another family's name"
        elif usage.verdict == "word":
            status, shown = "kept: word", ""
        else:
            status, shown = "unreviewed", HELD_TAG
        decision = self._name_decision(text[start:end], file, s, status)
        if decision is not None:
            status = decision.decision
            shown = "" if decision.decision == "keep" else (decision.replacement or as_name)
        context = re.sub(r"\s+", " ", text_[max(0, s - CONTEXT):e + CONTEXT]).strip()
        return NameOccurrence(file, s, text[start:end], status, reason, shown, as_name,
                              context), shown

    # -- the redaction -----------------------------------------------------------------------
    def redact(self, text: str, participant_record_id: str, file_label: str
               ) -> tuple[str, list[Replacement]]:
        """Redact ``text`` from the interview of ``participant_record_id``.

        Returns the redacted text and one :class:`Replacement` per change, in text order
        (offsets refer to the input text); :meth:`redact_with_review` also returns the
        ordinary-word name occurrences.

        >>> roster = pd.DataFrame({"record_id": ["R1"], "parent_name": ["Zoë Price"],
        ...                        "child_name": ["Alfie Price"], "phone": ["07700 900411"]})
        >>> Redactor(roster, {}, {"R1": "P03"}).redact("ZOE said Alfie's fine", "R1", "t")[0]
        "[P03] said [Child of P03]'s fine"
        """
        text, changes, _ = self.redact_with_review(text, participant_record_id, file_label)
        return text, changes

    def redact_with_review(self, text: str, participant_record_id: str, file_label: str, *,
                           within: tuple[str, int, str] | None = None
                           ) -> tuple[str, list[Replacement], list[NameOccurrence]]:
        """:meth:`redact`, plus every occurrence of a name that is also an ordinary word.

        ``within``: ``(transcript, start, label)`` when ``text`` is the excerpt
        ``transcript[start:start + len(text)]`` of the participant's transcript; ordinary-word
        names are then judged in the transcript's context and reported, and settled by
        decisions, at the transcript's label and offsets, so an excerpt reads exactly as its
        transcript. Ignored when the transcript does not hold ``text`` at ``start``.

        >>> roster = pd.DataFrame({"record_id": ["R1", "R2"], "parent_name": ["Ann Lee", "Bo Ng"],
        ...                        "child_name": ["Hope Lee", "Sam Ng"]})
        >>> redactor = Redactor(roster, {}, {"R1": "P01", "R2": "P02"})
        >>> out, _, names = redactor.redact_with_review(
        ...     "what's going on for hope. I hope so.", "R1", "t")
        >>> out
        "what's going on for [Child of P01]. I hope so."
        >>> [(n.token, n.status) for n in names]
        [('hope', 'redacted: check'), ('hope', 'kept: word')]
        >>> redactor.redact_with_review("I saw Hope. Hope is calm.", "R2", "t")[0]
        'I saw [Child of P01]. [Name?] is calm.'
        """
        if within is not None and within[0][within[1]:within[1] + len(text)] != text:
            within = None
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
        names: list[tuple[int, NameOccurrence]] = []
        view, owner = plain_view(text)
        for match in self.pattern.finditer(view):
            start, end = original_span(owner, *match.span(), len(text))
            if not free(start, end):
                continue
            key = lexicon_key(text[start:end])
            referent = self._choose(self.lexicon.variants.get(key, []), participant_record_id)
            if referent is None:
                continue
            review = ""
            if key in self.lexicon.ordinary and referent.kind != "reviewed":
                occurrence, replacement = self._judge(text, start, end, key, referent,
                                                      participant_record_id, within, file_label)
                names.append((start, occurrence))
                if not replacement:
                    continue
                category = "held" if replacement == HELD_TAG else referent.kind
                rule = ("review decision" if occurrence.status in {"keep", "redact"}
                        else "ordinary-word name")
                spans.append((start, end, category, rule, replacement, ""))
                taken.append((start, end))
                continue
            if self.lexicon.ambiguous(key):
                review = "ambiguous name"
            pseudonym = self.pseudonyms.get(referent.record_id, "another participant")
            replacement = referent.template.replace("{p}", pseudonym)
            rule = ("review decision" if referent.kind == "reviewed"
                    else f"site:{referent.kind}" if referent.kind in SITE_KINDS
                    else f"roster:{referent.kind}")
            spans.append((start, end, referent.kind, rule, replacement, review))
            taken.append((start, end))
        spans.sort()
        out, cursor, changes, length = [], 0, [], 0
        starts_out: dict[int, int] = {}
        for start, end, category, rule, replacement, review in spans:
            out.append(text[cursor:start])
            length += start - cursor
            starts_out[start] = length
            out.append(replacement)
            length += len(replacement)
            cursor = end
            changes.append(Replacement(file_label, start, category, rule, text[start:end],
                                       replacement, review))
        out.append(text[cursor:])
        # where each ordinary-word name (kept or replaced) starts in the output
        shift = 0
        edits = [(s, e, len(r)) for s, e, _, _, r, _ in spans]
        occurrences = []
        for start, occurrence in names:
            shift = sum(size - (e - s) for s, e, size in edits if e <= start)
            occurrence.output_offset = starts_out.get(start, start + shift)
            occurrences.append(occurrence)
        return "".join(out), changes, occurrences
