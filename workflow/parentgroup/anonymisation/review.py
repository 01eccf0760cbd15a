"""The review list: what a human must still look at after automatic redaction.

This automates the UK Data Service Text Anonymisation Helper Tool's "Find All Nums and Caps":
every remaining capitalised token that does not start a sentence and is not on the allow-list
(config ``anonymisation.allow_list``), nor a bracketed replacement, nor a speaker label, and
every remaining number of two or more digits, with its context. A word in a script without
capitals (Chinese, Japanese, Korean, Arabic, Hebrew ...; kind ``caseless script``) is listed
wherever it stands, since no capital tells a name there. Redactions of names several
people share are listed too, so a reviewer can check them, and so is *every* occurrence of a
name that is also an ordinary word (Grace, Will, May, Hope ...; kind ``ordinary-word name``,
:mod:`.ordinary_words`), whatever the redactor did with it: redacted (``redacted: check``), kept
as the word (``kept: word``) or held as ``[Name?]`` for a decision (``unreviewed``). The list
goes to the secure folder only (its context may hold an identifier the redactor missed); the
reviewers' decisions live in the site's ``review_decisions.csv`` (``token, decision,
replacement, reviewer, date``, optional ``file`` and ``offset``).

A normal run logs a WARNING with the number of unreviewed items (never the tokens); a release
run (``anonymisation.release: true``) stops with an :class:`InputError` instead.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from parentgroup.anonymisation.redaction import (
    NameDecision,
    NameOccurrence,
    Replacement,
    ReviewedToken,
    starts_sentence,
)
from parentgroup.inputs.csv_files import (
    CsvFormatError,
    TextEncodingError,
    read_csv_frame,
    read_text,
)
from parentgroup.problems import ERROR, WARNING, InputProblem
from parentgroup.spelling import MARK_RANGES, fold

REVIEW_COLUMNS = ["file", "offset", "token", "kind", "context", "status"]
DECISION_COLUMNS = ["token", "decision", "replacement", "reviewer", "date"]
NAME_KIND = "ordinary-word name"
#: A word left in a script without capitals (its letters have no case): a name could be one.
CASELESS_KIND = "caseless script"
DEFAULT_REPLACEMENT = "[Redacted]"
#: A bracketed replacement, a word (its combining marks included: a name typed with them, NFD,
#: is one token) or a number.
_TOKEN = re.compile(rf"\[[^\]\n]*\]|[^\W\d_][\w'’{MARK_RANGES}-]*|\d[\d,.:/]*\d|\d")
ALWAYS_ALLOWED = frozenset({"I", "I'm", "I’m", "I've", "I’ve", "I'd", "I’d", "I'll", "I’ll"})
CONTEXT = 40


@dataclass(frozen=True)
class Decision:
    """One reviewer decision from ``review_decisions.csv``."""

    token: str
    decision: str  # keep | redact
    replacement: str
    file: str = ""  # "" = every file
    offset: int | None = None  # None = every occurrence in the file(s)
    given_replacement: str = ""  # the replacement as written ('' = the default)


def _is_speaker_label(text: str, start: int, end: int) -> bool:
    """A token that opens its line and is followed by ``:`` (``Parent:``, ``Parent 2:``)."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip() and re.match(r"[\w ]{0,30}:", text[end:end + 31]) \
        is not None


def review_items(text: str, file_label: str, allow: set[str] | frozenset[str],
                 skip: set[int] | frozenset[int] = frozenset()) -> list[dict]:
    """Capitalised tokens not at a sentence start and numbers of 2+ digits, with context.

    ``allow`` holds case-folded tokens; ``skip`` the offsets of tokens already listed (the
    ordinary-word names). Offsets refer to the (redacted) ``text``.

    >>> [i["token"] for i in review_items("Parent: We met Jo at Brightwater at 10.", "t", set())]
    ['Jo', 'Brightwater', '10']
    >>> [(i["token"], i["kind"]) for i in review_items("Parent: 小明 came. فاطمة too.", "t", set())]
    [('小明', 'caseless script'), ('فاطمة', 'caseless script')]
    """
    items = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        start, end = match.span()
        if token.startswith("[") or start in skip:
            continue
        if token[0].isdigit():
            if sum(c.isdigit() for c in token) < 2:
                continue
            kind = "number"
        else:
            # a script without capitals (Chinese, Japanese, Korean, Arabic, Hebrew ...): no
            # capital marks a name there, so every word is listed, a sentence start included
            caseless = token[0].lower() == token[0].upper()
            if not (token[0].isupper() or caseless) or token in ALWAYS_ALLOWED:
                continue
            bare = re.sub(r"['’]s?$", "", token)
            plural = re.sub(r"s$", "", bare)
            if {token.casefold(), bare.casefold(), plural.casefold()} & set(allow):
                continue
            if _is_speaker_label(text, start, end):
                continue
            if not caseless and starts_sentence(text, start):
                continue
            kind = CASELESS_KIND if caseless else "capitalised"
        items.append(_item(text, file_label, start, end, token, kind))
    return items


#: Two or three capital letters, each with or without a full stop (``LW``, ``Ł.W.``, ``J. S.``).
_INITIALS = re.compile(rf"(?<![\w.])(?:[^\W\d_][{MARK_RANGES}]*\.? ?){{1,2}}[^\W\d_]"
                       rf"[{MARK_RANGES}]*\.?(?![\w])")


def initials_items(text: str, file_label: str, initials: frozenset[str]) -> list[dict]:
    """Tokens that are a roster person's or staff member's initials (``LW``, ``Ł.W.``; from
    :func:`parentgroup.anonymisation.lexicon.person_initials`), wherever they stand, a sentence
    start included, for a reviewer to decide (kind ``initials``).

    >>> [i["token"] for i in initials_items("LW said no. Then L. W. did. OK.", "t",
    ...                                      frozenset({"lw"}))]
    ['LW', 'L. W.']
    """
    items = []
    for match in _INITIALS.finditer(text):
        token = match.group().rstrip()
        composed = unicodedata.normalize("NFC", token)
        letters = [c for c in composed if c.isalpha()]
        if not all(c.isupper() for c in letters) or len(composed) < 2:
            continue
        if len(composed) == len(letters) and len(letters) > 2:
            continue  # an all-capital word of three letters (NHS, ADHD ...) is not initials
        folded = fold("".join(letters))
        if folded[0] + folded[-1] in initials and len(folded) in (2, 3):
            items.append(_item(text, file_label, match.start(), match.start() + len(token),
                               token, "initials"))
    return items


def flagged_redactions(changes: list[Replacement], original: str) -> list[dict]:
    """Redactions a human should check (names several people share), as review items whose
    context is the original text around the redaction (offsets in the original)."""
    items = []
    for c in changes:
        if c.review:
            item = _item(original, c.file, c.offset, c.offset + len(c.original), c.original,
                         c.review)
            item["context"] += f" -> redacted as {c.replacement}"
            item["status"] = "redacted: check"
            items.append(item)
    return items


def name_review_items(occurrences: list[NameOccurrence]) -> list[dict]:
    """One review item per ordinary-word name occurrence (offsets in the original transcript;
    the context says what the shared text shows and, when held, what the person would be)."""
    items = []
    for o in occurrences:
        if o.shown == "":
            outcome = "kept as the word"
        elif o.shown == o.as_name:
            outcome = f"redacted as {o.shown}"
        else:
            outcome = f"shown as {o.shown}; as a name it would be {o.as_name}"
        items.append({"file": o.file, "offset": o.offset, "token": o.token, "kind": NAME_KIND,
                      "context": f"{o.context} -> {outcome} ({o.reason})", "status": o.status})
    return items


def _item(text: str, file_label: str, start: int, end: int, token: str, kind: str) -> dict:
    context = re.sub(r"\s+", " ", text[max(0, start - CONTEXT):end + CONTEXT]).strip()
    return {"file": file_label, "offset": start, "token": token, "kind": kind,
            "context": context, "status": "unreviewed"}


def read_decisions(path: Path | None) -> tuple[list[Decision], list[InputProblem]]:
    """The reviewers' decisions; a problem for each malformed row (tokens are never echoed)."""
    if path is None or not str(path) or not Path(path).is_file():
        return [], []
    name = Path(path).name
    try:  # comma-, semicolon- or TAB-separated, as the site's spreadsheet saved it
        frame = read_csv_frame(read_text(path)[0], name)
    except (CsvFormatError, TextEncodingError) as error:
        return [], [InputProblem(name, error.line, None, None,
                                 f"a readable CSV of review decisions ({error.found})")]
    frame.columns = [str(c).strip().casefold() for c in frame.columns]
    missing = [c for c in ("token", "decision") if c not in frame.columns]
    if missing:
        return [], [InputProblem(name, 1, c, None, "a column of review decisions "
                                 f"({', '.join(DECISION_COLUMNS)}; optional file, offset)")
                    for c in missing]
    decisions, problems, seen = [], [], {}
    for index, row in frame.iterrows():
        line = int(index) + 2
        token = row["token"].strip()
        decision = row["decision"].strip().casefold()
        if not token:
            problems.append(InputProblem(name, line, "token", None, "the token reviewed"))
            continue
        if decision not in {"keep", "redact"}:
            problems.append(InputProblem(name, line, "decision", row["decision"],
                                         "keep or redact", ERROR))
            continue
        raw_replacement = (row.get("replacement", "") or "").strip()
        replacement = raw_replacement or DEFAULT_REPLACEMENT
        scope = (row.get("file", "") or "").strip()
        offset_text = (row.get("offset", "") or "").strip()
        offset = None
        if offset_text:
            if not offset_text.isdigit() or not scope:
                problems.append(InputProblem(name, line, "offset", offset_text,
                                             "a whole number from the review list's offset "
                                             "column, with the file it belongs to", ERROR))
                continue
            offset = int(offset_text)
        if seen.get((token, scope, offset), decision) != decision:
            problems.append(InputProblem(name, line, "decision", None,
                                         "one decision per token (this token has both keep "
                                         "and redact)", ERROR, sensitive=True))
            continue
        seen[(token, scope, offset)] = decision
        decisions.append(Decision(token, decision, replacement, scope, offset,
                                  raw_replacement))
    return decisions, problems


def redact_decisions(decisions: list[Decision], pseudonyms: dict[str, str]
                     ) -> list[ReviewedToken]:
    """``redact`` decisions for the :class:`Redactor`. A decision limited to a transcript
    (``transcripts/P03.txt``) applies to that participant's transcript and coded excerpts."""
    by_pseudonym = {p: r for r, p in pseudonyms.items()}
    out = []
    for d in decisions:
        if d.decision != "redact":
            continue
        scope = ""
        if d.file:
            found = re.search(r"(P\d+)(?:\.txt)?$", Path(d.file).name)
            scope = by_pseudonym.get(found.group(1), "") if found else ""
        out.append(ReviewedToken(d.token, d.replacement, scope))
    return out


def name_decisions(decisions: list[Decision]) -> list[NameDecision]:
    """Every decision as a :class:`NameDecision` for the redactor's ordinary-word names (a
    ``redact`` without a replacement there means "the person's own replacement")."""
    return [NameDecision(d.token, d.decision, d.given_replacement, d.file, d.offset)
            for d in decisions]


def _decision_for(item: dict, decisions: list[Decision]) -> Decision | None:
    """The decision on a review item: its token as written (the same letters whether typed
    precomposed, NFC, or with combining marks, NFD), else in any case."""
    token = unicodedata.normalize("NFC", str(item["token"]))
    for exact in (True, False):
        for d in decisions:
            written = unicodedata.normalize("NFC", d.token)
            same = written == token if exact else written.casefold() == token.casefold()
            if d.offset is not None and d.offset != item["offset"]:
                continue
            if same and (not d.file or d.file == item["file"]
                         or str(item["file"]).startswith(d.file)):
                return d
    return None


def apply_decisions(items: list[dict], decisions: list[Decision], release: bool
                    ) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Mark reviewed items ``keep`` / ``redact``; unreviewed ones give one WARNING (or, for a
    release run, one ERROR) that states the count only. Ordinary-word name items arrive
    settled (the redactor applied the decisions, :class:`NameDecision`) and are not re-matched.
    A repeated item (an excerpt's name reported at its transcript's place) is listed once."""
    frame = pd.DataFrame(items, columns=REVIEW_COLUMNS).drop_duplicates(
        ["file", "offset", "token", "kind"])
    statuses = []
    for item in frame.to_dict("records"):
        if item["status"] != "unreviewed" or item["kind"] == NAME_KIND:
            statuses.append(item["status"])
            continue
        decision = _decision_for(item, decisions)
        statuses.append(decision.decision if decision else "unreviewed")
    frame["status"] = statuses
    frame = frame.sort_values(["file", "offset", "kind"], kind="stable").reset_index(drop=True)
    unreviewed = int((frame["status"] == "unreviewed").sum())
    problems = []
    if unreviewed:
        problems.append(InputProblem(
            "review_list.csv (secure folder)", None, None, None,
            f"a decision in review_decisions.csv for each of the {unreviewed} unreviewed "
            "review-list item(s)" + (" before a release run (anonymisation.release: true)"
                                     if release else ""),
            ERROR if release else WARNING,
        ))
    return frame, problems
