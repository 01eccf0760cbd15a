"""The review list: what a human must still look at after automatic redaction.

This automates the UK Data Service Text Anonymisation Helper Tool's "find all nums and caps":
every remaining capitalised token that does not start a sentence and is not on the allow-list,
and every remaining number of two or more digits, listed with its context. The list goes to
the secure directory (its context may hold an identifier the redactor missed); the human
decisions (keep / redact with a replacement) live in the site's ``review_decisions.csv``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from parentgroup.problems import ERROR, WARNING, InputProblem

REVIEW_COLUMNS = ["file", "offset", "token", "kind", "context", "status"]
DECISION_COLUMNS = ["token", "decision", "replacement", "reviewer", "date"]
_TOKEN = re.compile(r"\[[^\]]*\]|[A-Za-zÀ-ÖØ-öø-ÿ][\w'’-]*|\d[\d,.:/]*")
_SENTENCE_END = re.compile(r"(?:^|[.!?:;\"“”(\[]|\n\n)\s*$")
ALWAYS_ALLOWED = {"I", "I'm", "I've", "I'd", "I'll", "OK", "TV"}


class ReviewRequired(ValueError):
    """A release run with review-list items nobody has decided on."""

    user_facing = True


def review_items(text: str, file_label: str, allow: set[str]) -> list[dict]:
    """Capitalised tokens not at a sentence start and numbers of 2+ digits, with context."""
    items = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token.startswith("["):
            continue
        start = match.start()
        if token[0].isdigit():
            if sum(c.isdigit() for c in token) < 2:
                continue
            kind = "number"
        else:
            if not token[0].isupper() or token in ALWAYS_ALLOWED:
                continue
            if token.casefold() in allow or token.rstrip("'’s").casefold() in allow:
                continue
            if _SENTENCE_END.search(text[max(0, start - 40) : start]):
                continue
            if text[match.end() : match.end() + 1] == ":" and token in {"Interviewer", "Parent"}:
                continue
            kind = "capitalised"
        context = re.sub(r"\s+", " ", text[max(0, start - 40) : match.end() + 40])
        items.append({"file": file_label, "offset": start, "token": token, "kind": kind,
                      "context": context, "status": "unreviewed"})
    return items


def read_decisions(path: Path | None) -> tuple[dict[str, dict], list[InputProblem]]:
    """Decisions by token (case-sensitive); problems for malformed rows."""
    if path is None or not Path(path).exists():
        return {}, []
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = []
    missing = [c for c in ("token", "decision") if c not in frame.columns]
    if missing:
        return {}, [InputProblem(Path(path).name, 1, c, None, "a column of review decisions")
                    for c in missing]
    decisions = {}
    for index, row in frame.iterrows():
        decision = row["decision"].strip().casefold()
        if decision not in {"keep", "redact"}:
            problems.append(InputProblem(Path(path).name, int(index) + 2, "decision",
                                         row["decision"], "keep or redact", ERROR,
                                         sensitive=False))
            continue
        decisions[row["token"]] = {
            "decision": decision,
            "replacement": row.get("replacement", "").strip() or "[Redacted]",
        }
    return decisions, problems


def apply_decisions(items: list[dict], decisions: dict[str, dict], release: bool
                    ) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Mark reviewed items; unreviewed ones warn (or, for a release, stop the run)."""
    frame = pd.DataFrame(items, columns=REVIEW_COLUMNS)
    frame["status"] = [
        f"reviewed: {decisions[t]['decision']}" if t in decisions else "unreviewed"
        for t in frame["token"]
    ]
    unreviewed = int((frame["status"] == "unreviewed").sum())
    problems = []
    if unreviewed:
        problems.append(InputProblem(
            "review_list.csv (secure folder)", None, None, None,
            f"a decision for each of the {unreviewed} unreviewed review-list item(s) in "
            "review_decisions.csv" + (" before a release run" if release else ""),
            ERROR if release else WARNING,
        ))
    return frame, problems
