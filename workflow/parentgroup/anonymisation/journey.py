"""The parents' journey, pseudonymised: goals (texts redacted like transcripts and coded into
goal categories), invitations (counts per response and reason: no identifier, date or route),
lateness and the baseline form about the child (free-text answers redacted like the goals).

Goal and baseline free texts go through the transcripts' :class:`Redactor` (built with the
site's review decisions) and onto the same review list: every capitalised word, caseless-script
word, number and initials left in them, every ordinary-word name, every shared name
(:mod:`.review`), so a reviewer's ``redact`` or ``keep`` settles them as it settles a
transcript's.

Writes ``data/processed/<site>/goals.csv``, ``invitations.csv``, ``lateness.csv``,
``baseline_form.csv`` and ``baseline_texts.csv``
(docs/data-contracts.md §1) and, to the site's secure folder only, ``goals_redaction_log.csv``
(what was replaced in which goal text). Pseudonyms come from the site's linkage key, which the
anonymise stage has already written; the anonymise stage (:func:`.site.anonymise_inputs`)
computes these tables with the rest of the site, so their review items reach the review list
before a release run decides whether to stop.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from parentgroup.anonymisation.redaction import Redactor, Replacement
from parentgroup.anonymisation.review import (
    Decision,
    flagged_redactions,
    initials_items,
    name_decisions,
    name_review_items,
    redact_decisions,
    review_items,
)

log = logging.getLogger(__name__)

GOAL_COLUMNS = ["pseudonym", "goal", "goal_category", "goal_text", "time", "session", "rating"]
INVITATION_COLUMNS = ["response", "decline_reason", "enrolled", "n"]
LATENESS_COLUMNS = ["pseudonym", "session", "late", "minutes_late"]
BASELINE_COLUMNS = ["pseudonym", "item", "domain", "value"]
BASELINE_TEXT_COLUMNS = ["pseudonym", "domain", "text"]
LOG_COLUMNS = ["file", "offset", "category", "rule", "original", "replacement"]


def goal_category(text: str, categories: list[dict], coded: str = "") -> str:
    """The goal's category: the researchers' code when given, else the first category (config
    ``journey.goal_categories`` order) with a keyword found in the text (case-insensitive, at
    the start of a word), else ``other``.

    >>> cats = [{"id": "emotions", "keywords": ["calm", "temper"]},
    ...         {"id": "school_learning", "keywords": ["homework"]}]
    >>> goal_category("Homework done without tears", cats), goal_category("Stay CALM", cats)
    ('school_learning', 'emotions')
    >>> goal_category("Tidy room", cats), goal_category("Tidy room", cats, "emotions")
    ('other', 'emotions')
    """
    if coded:
        return coded
    for category in categories:
        for keyword in category.get("keywords", []):
            if re.search(rf"(?<!\w){re.escape(keyword)}", text, re.I):
                return category["id"]
    return "other"


def invitation_counts(referrals: pd.DataFrame) -> pd.DataFrame:
    """The invitations as counts per response, decline reason and enrolment (``n``), with no
    row per family: the referral route and date stay in the raw folder (nothing downstream uses
    them), so no combination of route, date and reason can single out a family who declined,
    and the table holds only what the invitation flow counts.

    >>> referrals = pd.DataFrame({"referral_id": ["I1", "I2", "I3"], "date": ["2025-01-06"] * 3,
    ...                           "route": ["senco", "letter", "teacher"],
    ...                           "response": ["declined", "accepted", "declined"],
    ...                           "decline_reason": ["stigma", "", "stigma"],
    ...                           "record_id": ["", "R1", ""]})
    >>> invitation_counts(referrals).values.tolist()
    [['accepted', '', True, 1], ['declined', 'stigma', False, 2]]
    """
    rows = pd.DataFrame({
        "response": referrals.get("response", pd.Series(dtype=str)).fillna("").astype(str),
        "decline_reason": referrals.get("decline_reason",
                                        pd.Series(dtype=str)).fillna("").astype(str),
        "enrolled": referrals.get("record_id", pd.Series(dtype=str)).fillna("").astype(str)
        .ne(""),
    })
    counts = rows.groupby(INVITATION_COLUMNS[:3], sort=True).size().reset_index(name="n")
    return counts[INVITATION_COLUMNS].reset_index(drop=True)


#: Roster columns of a parent's own family -> the tag their names become in the parent's goals.
OWN_FAMILY = {"child_name": "[Child of {p}]", "child_nicknames": "[Child of {p}]",
              "sibling_names": "[Sibling of {p}]", "partner_name": "[Partner of {p}]",
              "parent_name": "[{p}]", "parent_nicknames": "[{p}]",
              "other_names": "[Person known to {p}]"}


def redact_own_family(text: str, family: dict, pseudonym: str) -> tuple[str, int]:
    """Replace the capitalised first names (and nicknames) of the parent's own family left in a
    goal text. A goal is a short sentence about the child, so a name that is also a word and
    opens the sentence ("Hope to talk to me about school") is the child, not the verb; the
    transcripts' redactor rightly leaves such words to a reviewer, a goal cannot wait for one.
    Returns the text and the number of replacements.

    >>> redact_own_family("Hope to talk to me", {"child_name": "Hope Price"}, "P08")
    ('[Child of P08] to talk to me', 1)
    >>> redact_own_family("I hope to cope", {"child_name": "Hope Price"}, "P08")
    ('I hope to cope', 0)
    """
    text, spans = _own_family(text, family, pseudonym)
    return text, len(spans)


def _own_family(text: str, family: dict, pseudonym: str
                ) -> tuple[str, list[tuple[int, int, int]]]:
    """:func:`redact_own_family`, with each replacement as ``(start, end, length of the
    replacement)`` in the input text."""
    tags: dict[str, str] = {}
    for column, template in OWN_FAMILY.items():
        value = str(family.get(column, "") or "")
        names = value.split(";") if column.endswith(("nicknames", "_names")) else [value]
        for name in names:
            first = name.strip().split()[0] if name.strip() else ""
            if len(first) >= 2:
                tags.setdefault(first, template.replace("{p}", pseudonym))
    if not tags:
        return text, []
    alternation = "|".join(re.escape(n) for n in sorted(tags, key=lambda n: (-len(n), n)))
    spans: list[tuple[int, int, int]] = []

    def replace(match: re.Match) -> str:
        tag = tags[match.group()]
        spans.append((match.start(), match.end(), len(tag)))
        return tag

    return re.sub(rf"(?<![\w\[])(?:{alternation})(?!\w)", replace, text), spans


def _shifted(offset: int, spans: list[tuple[int, int, int]]) -> int:
    """Where ``offset`` of a text is after the replacements ``spans`` (:func:`_own_family`)."""
    return offset + sum(size - (end - start) for start, end, size in spans if end <= offset)


def _redact_free_text(redactor: Redactor, original: str, record_id: str, label: str,
                      family: dict, pseudonym: str, changes: list, review: list[dict] | None,
                      allow: set[str], what: str) -> str:
    """One goal or baseline free text redacted like a transcript (then the parent's own family
    names), its changes logged and its review items (offsets in the redacted text, names at
    the original's) added to ``review``."""
    redacted, made, names = redactor.redact_with_review(original, record_id, label)
    changes += made
    final, spans = _own_family(redacted, family, pseudonym)
    if spans:
        changes.append(Replacement(label, -1, "own family", what, "", str(len(spans))))
    if review is not None:
        listed = {_shifted(n.output_offset, spans) for n in names}
        review += review_items(final, label, allow, listed)
        review += flagged_redactions(made, original) + name_review_items(names)
        review += initials_items(final, label, redactor.initials)
    return final


def journey_tables(*, roster: pd.DataFrame, goals: pd.DataFrame, referrals: pd.DataFrame,
                   lateness: pd.DataFrame, identifiers: dict, pseudonyms: dict[str, str],
                   config: dict, baseline_items: pd.DataFrame | None = None,
                   baseline_texts: pd.DataFrame | None = None,
                   redactor: Redactor | None = None, decisions: Iterable[Decision] = (),
                   review: list[dict] | None = None, allow: Iterable[str] = ()
                   ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The processed journey tables (goals, invitations, lateness, baseline_form,
    baseline_texts) and the secure redaction log. Goal and baseline texts are redacted by the
    transcripts' :class:`Redactor` (``redactor``, or one built here with the reviewers'
    ``decisions``: the same lexicon of roster names, staff, school and town, the same pseudonym
    mapping and decisions, the parent's own family as context), and their review items are
    added to ``review`` (the site's review list; ``allow``: the config's allow-list); the
    category is coded from the original text, before redaction."""
    journey = config.get("journey", {})
    categories = journey.get("goal_categories", [])
    roster = roster.fillna("").astype(str)
    allow = {str(a).casefold() for a in allow}
    changes = []
    rows = []
    decisions = list(decisions)
    built: list[Redactor] = [redactor] if redactor is not None else []

    def text_redactor() -> Redactor:
        if not built:
            built.append(Redactor(roster, identifiers, pseudonyms,
                                  redact_decisions(decisions, pseudonyms),
                                  name_decisions=name_decisions(decisions),
                                  identifier_columns=config.get("roster", {}).get(
                                      "direct_identifiers", [])))
        return built[0]

    families = {r["record_id"]: r for r in roster.to_dict("records")}
    if not goals.empty:
        texts = {}
        for (record_id, goal), group in goals.groupby(["record_id", "goal"], sort=True):
            given = [t for t in group["goal_text"] if t]
            coded = next((c for c in group["category"] if c), "")
            original = given[0] if given else ""
            label = f"goals.csv {pseudonyms[record_id]} goal {goal}"
            redacted = _redact_free_text(text_redactor(), original, record_id, label,
                                         families[record_id], pseudonyms[record_id], changes,
                                         review, allow, "goal text")
            texts[(record_id, goal)] = (redacted, goal_category(original, categories, coded))
        for row in goals.itertuples():
            text, category = texts[(row.record_id, row.goal)]
            rows.append([pseudonyms[row.record_id], row.goal, category, text, row.time,
                         row.session, row.rating])
    goal_table = pd.DataFrame(rows, columns=GOAL_COLUMNS)
    order = {"baseline": 0, "session": 1, "review": 2}
    goal_table = goal_table.assign(_t=goal_table["time"].map(order)).sort_values(
        ["pseudonym", "goal", "_t", "session"], kind="stable").drop(columns="_t")
    invitations = invitation_counts(referrals)
    late = lateness.assign(pseudonym=lateness["record_id"].map(pseudonyms))
    late = late.dropna(subset=["pseudonym"])[LATENESS_COLUMNS].sort_values(
        ["pseudonym", "session"], kind="stable")
    answers, texts = _baseline_form(baseline_items, baseline_texts, pseudonyms, changes,
                                    text_redactor, families, review, allow)
    detail = pd.DataFrame([{c: getattr(r, c) for c in LOG_COLUMNS} for r in changes],
                          columns=LOG_COLUMNS)
    return {"goals": goal_table.reset_index(drop=True),
            "invitations": invitations.reset_index(drop=True),
            "lateness": late.reset_index(drop=True),
            "baseline_form": answers, "baseline_texts": texts}, detail


def _baseline_form(items: pd.DataFrame | None, texts: pd.DataFrame | None,
                   pseudonyms: dict[str, str], changes: list, text_redactor,
                   families: dict[str, dict], review: list[dict] | None, allow: set[str]
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline form pseudonymised: answers as they are, free texts redacted like the
    goal texts (the transcripts' redactor, then the parent's own family names) and listed for
    review like them."""
    items = items if items is not None and len(items) else pd.DataFrame(
        columns=["record_id", "item", "domain", "value"])
    texts = texts if texts is not None and len(texts) else pd.DataFrame(
        columns=["record_id", "domain", "text"])
    answers = items.assign(pseudonym=items["record_id"].map(pseudonyms))[BASELINE_COLUMNS]
    answers = answers.sort_values(["pseudonym", "item"], kind="stable").reset_index(drop=True)
    rows = []
    for row in texts.itertuples():
        pseudonym = pseudonyms[row.record_id]
        label = f"baseline_form.csv {pseudonym} {row.domain}"
        text = _redact_free_text(text_redactor(), row.text, row.record_id, label,
                                 families[row.record_id], pseudonym, changes, review, allow,
                                 "baseline text")
        rows.append([pseudonym, row.domain, text])
    free = pd.DataFrame(rows, columns=BASELINE_TEXT_COLUMNS).sort_values(
        ["pseudonym", "domain"], kind="stable").reset_index(drop=True)
    return answers, free


def write_journey(tables: dict[str, pd.DataFrame], detail: pd.DataFrame, *, site: str,
                  processed_dir: Path, secure_dir: Path,
                  outputs: dict[str, Path] | None = None) -> dict[str, int]:
    """Write the journey tables (``outputs`` names their paths, by default
    ``processed_dir/<name>.csv``) and their redaction log to ``secure_dir`` (owner only);
    returns the row count of each table."""
    processed_dir, secure_dir = Path(processed_dir), Path(secure_dir)
    secure_dir.mkdir(parents=True, exist_ok=True)
    (secure_dir / "goals_redaction_log.csv").write_text(
        detail.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    (secure_dir / "goals_redaction_log.csv").chmod(0o600)
    outputs = outputs or {name: processed_dir / f"{name}.csv" for name in tables}
    for name, table in tables.items():
        path = Path(outputs[name])
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(path, index=False, lineterminator="\n")
    counts = {name: len(table) for name, table in tables.items()}
    log.info("journey tables of site %s: %s; %d goal-text replacements", site, counts,
             len(detail))
    return counts
