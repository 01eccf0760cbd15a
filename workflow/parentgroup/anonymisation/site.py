"""The anonymise stage for one site: raw inputs in, pseudonymised files out.

Writes every file of ``data/processed/<site>/`` (see docs/data-contracts.md) and, to the secure
folder only, the linkage key, the detailed anonymisation log and the review list. Direct
identifiers never leave the raw folder: the processed tables carry pseudonyms and generalised
characteristics only.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from parentgroup.anonymisation.disclosure import generalise
from parentgroup.anonymisation.linkage import ensure_linkage_key
from parentgroup.anonymisation.redaction import Redactor
from parentgroup.anonymisation.review import (
    ReviewRequired,
    apply_decisions,
    read_decisions,
    review_items,
)
from parentgroup.problems import ERROR

log = logging.getLogger(__name__)

REASON_CATEGORIES = [
    ("practical", r"work|job|shift|time|transport|travel|childcare|clash"),
    ("family circumstances", r"placement|moved|move|family|ill|health|hospital|baby|bereave"),
    ("programme", r"not for me|didn'?t like|group|content|format"),
]


def reason_category(reason: str) -> str:
    """Free-text reason for leaving -> a broad category (free text is never released)."""
    if not reason.strip():
        return ""
    for category, pattern in REASON_CATEGORIES:
        if re.search(pattern, reason, re.I):
            return category
    return "other"


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def anonymise_site(*, roster: pd.DataFrame, attendance: pd.DataFrame, items: pd.DataFrame,
                   exclusions: pd.DataFrame, transcripts: dict[str, str],
                   excerpts: pd.DataFrame, site_cfg: dict, config: dict, outputs: dict[str, Path],
                   secure_dir: Path, review_decisions: Path | None) -> dict:
    """Pseudonymise, generalise and redact one site; returns counts for the log."""
    secure_dir = Path(secure_dir)
    pseudonyms = ensure_linkage_key(secure_dir / "linkage_key.csv", list(roster["record_id"]))
    settings = config["anonymisation"]
    # participants: pseudonym, generalised characteristics, attendance, completion
    released, steps = generalise(
        roster, reference_date=site_cfg["reference_date"], age_bands=settings["age_bands"],
        diagnosis_categories=settings["diagnosis_categories"], k=settings["k_anonymity"],
        l_div=settings["l_diversity"],
    )
    sessions = (
        attendance.groupby("record_id")["attended"].sum()
        if not attendance.empty else pd.Series(dtype=int)
    )
    participants = pd.DataFrame({
        "pseudonym": roster["record_id"].map(pseudonyms),
        "group": roster["group"],
        "relationship": released["relationship"],
        "child_age_band": released["child_age_band"],
        "child_gender": released["child_gender"],
        "diagnosis_category": released["diagnosis_category"],
        "consent_quotes": roster["consent_quotes"],
        "sessions_attended": roster["record_id"].map(sessions).fillna(0).astype(int),
    })
    threshold = config["completer_min_sessions"]
    participants["completer"] = participants["sessions_attended"] >= threshold
    participants["left_early"] = ~participants["completer"]
    participants["reason_left_category"] = [reason_category(r) for r in roster["reason_left"]]
    participants["interviewed"] = roster["record_id"].isin(list(transcripts)).to_numpy()
    _csv(participants.sort_values("pseudonym"), outputs["participants"])
    _csv(steps, outputs["disclosure"])
    # attendance and questionnaire answers: pseudonyms only
    visits = attendance.assign(pseudonym=attendance["record_id"].map(pseudonyms))
    _csv(visits[["pseudonym", "session", "attended"]].sort_values(["pseudonym", "session"]),
         outputs["attendance"])
    answers = items.assign(pseudonym=items["record_id"].map(pseudonyms))
    _csv(answers[["pseudonym", "instrument", "item", "time", "value"]]
         .sort_values(["pseudonym", "instrument", "time", "item"]), outputs["questionnaire_items"])
    excluded = exclusions.assign(
        pseudonym=exclusions["record_id"].map(pseudonyms).fillna("")
    ).drop(columns=["record_id"])
    _csv(excluded.sort_values(["stage", "file", "row"], kind="stable"), outputs["exclusions"])
    # transcripts and coded excerpts: one redactor, one mapping
    decisions, problems = read_decisions(review_decisions)
    reviewed = {t: d["replacement"] for t, d in decisions.items() if d["decision"] == "redact"}
    log_rows, review = [], []
    allow = {a.casefold() for a in settings["allow_list"]}
    folder = Path(outputs["transcripts"])
    folder.mkdir(parents=True, exist_ok=True)
    redactor = (
        Redactor(roster, site_cfg["identifiers"], pseudonyms, reviewed)
        if transcripts or not excerpts.empty else None
    )
    for record_id in sorted(transcripts):
        label = f"transcripts/{pseudonyms[record_id]}.txt"
        text, changes = redactor.redact(transcripts[record_id], record_id, label)
        (folder / f"{pseudonyms[record_id]}.txt").write_text(text, encoding="utf-8")
        log_rows += changes
        review += review_items(text, label, allow)
    consent = dict(zip(roster["record_id"], roster["consent_quotes"], strict=True))
    rows = []
    for index, row in enumerate(excerpts.itertuples(index=False)):
        label = f"coded_excerpts.csv row {index + 2}"
        text, changes = redactor.redact(str(row.excerpt), row.record_id, label)
        log_rows += changes
        quotable = consent.get(row.record_id) == "yes"
        if quotable:
            review += review_items(text, label, allow)
        rows.append({
            "pseudonym": pseudonyms.get(row.record_id, ""), "theme": row.theme, "code": row.code,
            "excerpt": text if quotable else "", "quotable": quotable, "source": row.source,
            "start": row.start, "end": row.end,
        })
    coded = pd.DataFrame(rows, columns=["pseudonym", "theme", "code", "excerpt", "quotable",
                                        "source", "start", "end"])
    _csv(coded.sort_values(["pseudonym", "start", "theme"], kind="stable"), outputs["excerpts"])
    # secure folder: detailed log and review list; processed: counts only
    detail = pd.DataFrame([vars(r) for r in log_rows],
                          columns=["file", "offset", "category", "rule", "original",
                                   "replacement"])
    _csv(detail, secure_dir / "anonymisation_log.csv")
    review_frame, found = apply_decisions(review, decisions, settings["release"])
    problems += found
    _csv(review_frame, secure_dir / "review_list.csv")
    summary = (
        detail.assign(file=detail["file"].str.replace(r" row \d+$", "", regex=True))
        .groupby(["file", "category"]).size().rename("count").reset_index()
        if not detail.empty else pd.DataFrame(columns=["file", "category", "count"])
    )
    _csv(summary, outputs["summary"])
    for problem in problems:
        (log.error if problem.severity == ERROR else log.warning)(problem.format())
    if any(p.severity == ERROR for p in problems):
        raise ReviewRequired("\n".join(p.format() for p in problems))
    counts = {"replacements": len(detail), "review_items": len(review_frame),
              "unreviewed": int((review_frame["status"] == "unreviewed").sum())}
    log.info("anonymised %d parents: %s", len(roster), counts)
    return counts
