"""The parents' journey, pseudonymised: goals (texts redacted like transcripts and coded into
goal categories), invitations (counts per response and reason: no identifier, date or route),
lateness and the baseline form about the child (free-text answers redacted like the goals).

Writes ``data/processed/<site>/goals.csv``, ``invitations.csv``, ``lateness.csv``,
``baseline_form.csv`` and ``baseline_texts.csv``
(docs/data-contracts.md §1) and, to the site's secure folder only, ``goals_redaction_log.csv``
(what was replaced in which goal text). Pseudonyms come from the site's linkage key, which the
anonymise stage has already written.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from parentgroup.anonymisation.linkage import ensure_linkage_key
from parentgroup.anonymisation.redaction import Redactor, Replacement
from parentgroup.inputs.site import SiteInputs, read_site
from parentgroup.problems import raise_if_errors

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
    count = 0
    for column, template in OWN_FAMILY.items():
        value = str(family.get(column, "") or "")
        names = value.split(";") if column.endswith(("nicknames", "_names")) else [value]
        for name in names:
            first = name.strip().split()[0] if name.strip() else ""
            if len(first) < 2:
                continue
            text, n = re.subn(rf"(?<![\w\[]){re.escape(first)}(?!\w)",
                              template.replace("{p}", pseudonym), text)
            count += n
    return text, count


def journey_tables(*, roster: pd.DataFrame, goals: pd.DataFrame, referrals: pd.DataFrame,
                   lateness: pd.DataFrame, identifiers: dict, pseudonyms: dict[str, str],
                   config: dict, baseline_items: pd.DataFrame | None = None,
                   baseline_texts: pd.DataFrame | None = None
                   ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """The processed journey tables (goals, invitations, lateness, baseline_form,
    baseline_texts) and the secure redaction log. Goal texts are redacted by the transcripts'
    :class:`Redactor` (the same lexicon of roster names, staff, school and town, the same
    pseudonym mapping, the parent's own family as context); the category is coded from the
    original text, before redaction."""
    journey = config.get("journey", {})
    categories = journey.get("goal_categories", [])
    roster = roster.fillna("").astype(str)
    changes = []
    rows = []
    if not goals.empty:
        redactor = Redactor(roster, identifiers, pseudonyms,
                            identifier_columns=config.get("roster", {}).get(
                                "direct_identifiers", []))
        families = {r["record_id"]: r for r in roster.to_dict("records")}
        texts = {}
        for (record_id, goal), group in goals.groupby(["record_id", "goal"], sort=True):
            given = [t for t in group["goal_text"] if t]
            coded = next((c for c in group["category"] if c), "")
            original = given[0] if given else ""
            label = f"goals.csv {pseudonyms[record_id]} goal {goal}"
            redacted, made = redactor.redact(original, record_id, label)
            changes += made
            redacted, extra = redact_own_family(redacted, families[record_id],
                                                pseudonyms[record_id])
            if extra:
                changes.append(Replacement(label, -1, "own family", "goal text", "", str(extra)))
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
    answers, texts = _baseline_form(roster, baseline_items, baseline_texts, identifiers,
                                    pseudonyms, config, changes)
    detail = pd.DataFrame([{c: getattr(r, c) for c in LOG_COLUMNS} for r in changes],
                          columns=LOG_COLUMNS)
    return {"goals": goal_table.reset_index(drop=True),
            "invitations": invitations.reset_index(drop=True),
            "lateness": late.reset_index(drop=True),
            "baseline_form": answers, "baseline_texts": texts}, detail


def _baseline_form(roster: pd.DataFrame, items: pd.DataFrame | None,
                   texts: pd.DataFrame | None, identifiers: dict, pseudonyms: dict[str, str],
                   config: dict, changes: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The baseline form pseudonymised: answers as they are, free texts redacted like the
    goal texts (the transcripts' redactor, then the parent's own family names)."""
    items = items if items is not None and len(items) else pd.DataFrame(
        columns=["record_id", "item", "domain", "value"])
    texts = texts if texts is not None and len(texts) else pd.DataFrame(
        columns=["record_id", "domain", "text"])
    answers = items.assign(pseudonym=items["record_id"].map(pseudonyms))[BASELINE_COLUMNS]
    answers = answers.sort_values(["pseudonym", "item"], kind="stable").reset_index(drop=True)
    rows = []
    if len(texts):
        redactor = Redactor(roster, identifiers, pseudonyms,
                            identifier_columns=config.get("roster", {}).get(
                                "direct_identifiers", []))
        families = {r["record_id"]: r for r in roster.to_dict("records")}
        for row in texts.itertuples():
            pseudonym = pseudonyms[row.record_id]
            label = f"baseline_form.csv {pseudonym} {row.domain}"
            text, made = redactor.redact(row.text, row.record_id, label)
            changes += made
            text, extra = redact_own_family(text, families[row.record_id], pseudonym)
            if extra:
                changes.append(Replacement(label, -1, "own family", "baseline text", "",
                                           str(extra)))
            rows.append([pseudonym, row.domain, text])
    free = pd.DataFrame(rows, columns=BASELINE_TEXT_COLUMNS).sort_values(
        ["pseudonym", "domain"], kind="stable").reset_index(drop=True)
    return answers, free


def anonymise_journey(*, site: str, study: dict, processed_dir: Path, secure_dir: Path,
                      outputs: dict[str, Path] | None = None,
                      inputs: SiteInputs | None = None) -> dict[str, int]:
    """The journey part of the anonymise stage for one site: read the site (stopping with
    every problem if one is fatal; ``inputs``: the site as the caller has read it already),
    pseudonymise with the site's linkage key, write the five processed tables (``outputs``
    names their paths, by default ``processed_dir/<name>.csv``) and the redaction log to
    ``secure_dir``. Returns the row count of each table."""
    site_cfg = study["sites"][site]
    if inputs is None:
        inputs = read_site(site_cfg, study)
    raise_if_errors(inputs.problems, f"input files of site {site}")
    processed_dir, secure_dir = Path(processed_dir), Path(secure_dir)
    pseudonyms = ensure_linkage_key(secure_dir / "linkage_key.csv",
                                    sorted(inputs.roster["record_id"].astype(str)),
                                    shared_dirs=[processed_dir.parent, processed_dir])
    tables, detail = journey_tables(
        roster=inputs.roster, goals=inputs.goals, referrals=inputs.referrals,
        lateness=inputs.lateness, identifiers=inputs.identifiers, pseudonyms=pseudonyms,
        config=study, baseline_items=inputs.baseline_items,
        baseline_texts=inputs.baseline_texts)
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
