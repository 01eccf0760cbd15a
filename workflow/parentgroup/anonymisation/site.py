"""The anonymise stage for one site: raw inputs in, pseudonymised files out.

Writes every file of ``data/processed/<site>/`` (docs/data-contracts.md §1) and, to the site's
secure folder only, the linkage key, the detailed anonymisation log and the review list. Direct
identifiers never leave the raw folder: the processed tables carry pseudonyms and generalised
characteristics only; free-text reasons for leaving become a category.

Order of work: everything is computed in memory; then the secure files are written (so a
reviewer can always see the review list); then, when a release run still has unreviewed items or
an input is malformed, the stage stops with an :class:`InputError` before any processed file is
written; otherwise the processed files are written.
"""

from __future__ import annotations

import logging
import os
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from parentgroup.anonymisation.disclosure import diagnosis_category, generalise
from parentgroup.anonymisation.journey import journey_tables, write_journey
from parentgroup.anonymisation.linkage import ensure_linkage_key
from parentgroup.anonymisation.quote_risks import QuoteRisks
from parentgroup.anonymisation.redaction import Redactor, Replacement
from parentgroup.anonymisation.review import (
    apply_decisions,
    flagged_redactions,
    initials_items,
    name_decisions,
    name_review_items,
    read_decisions,
    redact_decisions,
    review_items,
)
from parentgroup.inputs.site import read_site, site_paths
from parentgroup.problems import ERROR, InputProblem, raise_if_errors

log = logging.getLogger(__name__)

PARTICIPANT_COLUMNS = ["pseudonym", "group", "arm", "relationship", "child_age_band",
                       "child_gender", "diagnosis_category", "consent_quotes", "sessions_attended",
                       "completer", "left_early", "reason_left_category", "interviewed"]
EXCERPT_COLUMNS = ["pseudonym", "theme", "code", "excerpt", "quotable", "source", "start", "end"]
LOG_COLUMNS = ["file", "offset", "category", "rule", "original", "replacement"]
SUMMARY_COLUMNS = ["file", "category", "count"]
#: Free-text reason for leaving -> category, first match wins (case-insensitive).
REASON_CATEGORIES = [
    ("practical", r"work|job|shift|time|timing|transport|travel|bus|car\b|childcare|clash|"
                  r"commitment|busy|distance|moved? (?:away|house)"),
    ("health", r"ill|health|hospital|surgery|pregnan|baby|medical|mental|depress|anxi"),
    ("family", r"placement|family|divorce|separat|bereave|death|died|care|custody|child's|"
               r"moved|move"),
    ("programme", r"not for me|didn'?t (?:like|suit|help)|group|content|format|facilitator"),
]


def reason_category(reason: str) -> str:
    """Free-text reason for leaving -> ``practical``, ``health``, ``family``, ``programme``,
    ``other``, or ``""`` when none was given (free text is never released).

    >>> reason_category("work commitments"), reason_category("child's placement changed")
    ('practical', 'family')
    """
    text = str(reason or "").strip()
    if not text:
        return ""
    for category, pattern in REASON_CATEGORIES:
        if re.search(pattern, text, re.I):
            return category
    return "other"


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")


def _write_secure_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write a secure-folder table readable by its owner only (0o600)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(frame.to_csv(index=False, lineterminator="\n"))
    os.chmod(path, 0o600)


def _pseudonymise(frame: pd.DataFrame, pseudonyms: dict[str, str], table: str,
                  problems: list[InputProblem], *, allow_unmatched: bool = False) -> pd.Series:
    """record_id -> pseudonym; a problem (never the record_id) for an id not on the roster."""
    ids = frame["record_id"].fillna("").astype(str).str.strip()
    mapped = ids.map(pseudonyms)
    for index in frame.index[mapped.isna()]:
        if allow_unmatched and not ids[index]:
            continue
        problems.append(InputProblem(table, None, "record_id", None,
                                     "a record_id that is on the roster", ERROR, sensitive=True))
    return mapped.fillna("")


def anonymise_site(*, site: str, study: dict, processed_dir: Path, secure_dir: Path,
                   journey_outputs: dict[str, Path] | None = None) -> dict:
    """The anonymise stage: read every input of the site (:func:`parentgroup.inputs.read_site`,
    stopping with every problem at once if any is fatal), then pseudonymise, generalise and
    redact it (:func:`anonymise_inputs`). ``study`` is the site's settings in the config's shape
    (``sites.<site>``, ``roster``, ``instruments``, ``themes``, ``code_map``, ``anonymisation``,
    ``completer_min_sessions``, and the ``journey`` keys its readers use).

    With ``journey_outputs`` (table name -> path) the parents' journey is pseudonymised too,
    from the same reading of the site, with the same key, redactor and review list
    (:func:`parentgroup.anonymisation.journey.journey_tables`): one job reads the site once."""
    site_cfg = study["sites"][site]
    inputs = read_site(site_cfg, study)
    raise_if_errors(inputs.problems, f"input files of site {site}")
    decisions = site_paths(site_cfg)["review_decisions"]
    journey = None
    if journey_outputs is not None:
        journey = {"goals": inputs.goals, "referrals": inputs.referrals,
                   "lateness": inputs.lateness, "baseline_items": inputs.baseline_items,
                   "baseline_texts": inputs.baseline_texts}
    return anonymise_inputs(
        roster=inputs.roster, attendance=inputs.attendance, items=inputs.items,
        exclusions=inputs.exclusions, transcripts=inputs.transcripts, excerpts=inputs.excerpts,
        identifiers=inputs.identifiers, site=site, site_cfg=site_cfg, config=study,
        processed_dir=processed_dir, secure_dir=secure_dir,
        review_decisions=decisions if decisions is not None and decisions.is_file() else None,
        journey=journey, journey_outputs=journey_outputs,
    )


def anonymise_inputs(*, roster: pd.DataFrame, attendance: pd.DataFrame, items: pd.DataFrame,
                     exclusions: pd.DataFrame, transcripts: dict[str, str],
                     excerpts: pd.DataFrame, identifiers: dict, site: str, site_cfg: dict,
                     config: dict, processed_dir: Path, secure_dir: Path,
                     review_decisions: Path | None, journey: dict | None = None,
                     journey_outputs: dict[str, Path] | None = None) -> dict:
    """Pseudonymise, generalise and redact one site's inputs.

    ``identifiers`` are the site's staff, school and town names (its identifiers file,
    :mod:`parentgroup.inputs.identifiers`).

    ``processed_dir`` is ``data/processed/<site>``; ``secure_dir`` is the site's secure folder
    (``config["secure_dir"]/<site>``, the contracts' ``{secure}``), which receives
    ``linkage_key.csv``, ``anonymisation_log.csv`` and ``review_list.csv``;
    ``review_decisions`` is the site's ``review_decisions.csv`` (None or missing: no decisions).

    ``journey``: the parents' journey tables as read (``goals``, ``referrals``, ``lateness``,
    ``baseline_items``, ``baseline_texts``), pseudonymised with the rest
    (:func:`parentgroup.anonymisation.journey.journey_tables`): their free texts go through the
    same redactor, decisions and review list, and their tables are written with the processed
    files (to ``journey_outputs``, name -> path, by default ``processed_dir/<name>.csv``).

    Returns counts: ``participants, interviews, excerpts, quotable_excerpts, replacements,
    review_items, unreviewed, k_achieved, l_achieved`` (and ``journey``, row counts, with a
    ``journey``).
    """
    processed_dir, secure_dir = Path(processed_dir), Path(secure_dir)
    settings = config.get("anonymisation", {})
    problems: list[InputProblem] = []
    pseudonyms = ensure_linkage_key(secure_dir / "linkage_key.csv",
                                    sorted(roster["record_id"].astype(str)),
                                    shared_dirs=[processed_dir.parent, processed_dir])
    roster = roster.fillna("").astype(str)
    pseudonym_of = roster["record_id"].map(pseudonyms)

    # participants: pseudonym, generalised characteristics, attendance, completion
    released, steps = generalise(
        roster, reference_date=site_cfg["reference_date"],
        age_bands=settings.get("age_bands", [[0, 7], [8, 11], [12, 18]]),
        diagnosis_categories=settings.get("diagnosis_categories", {}),
        k=int(settings.get("k_anonymity", 3)), l_div=int(settings.get("l_diversity", 2)),
    )
    attended = (attendance.assign(attended=pd.to_numeric(attendance["attended"]).fillna(0))
                .groupby("record_id")["attended"].sum()
                if not attendance.empty else pd.Series(dtype=float))
    sessions = roster["record_id"].map(attended).fillna(0).astype(int)
    completer = sessions >= int(config["completer_min_sessions"])
    participants = pd.DataFrame({
        "pseudonym": pseudonym_of,
        "group": roster.get("group", ""),
        "arm": roster.get("arm", pd.Series("", index=roster.index)).str.strip().str.casefold(),
        "relationship": released["relationship"],
        "child_age_band": released["child_age_band"],
        "child_gender": released["child_gender"],
        "diagnosis_category": released["diagnosis_category"],
        "consent_quotes": roster["consent_quotes"].str.strip().str.casefold()
        .map({"yes": "yes", "y": "yes", "true": "yes"}).fillna("no"),
        "sessions_attended": sessions,
        "completer": completer,
        "left_early": ~completer,
        "reason_left_category": [reason_category(r) for r in roster.get("reason_left", "")],
        "interviewed": roster["record_id"].isin(sorted(transcripts)),
    }, columns=PARTICIPANT_COLUMNS).sort_values("pseudonym")

    # attendance, questionnaire answers and exclusions: pseudonyms only
    visits = attendance.assign(
        pseudonym=_pseudonymise(attendance, pseudonyms, "attendance.csv", problems))
    visits = visits[["pseudonym", "session", "attended"]].sort_values(["pseudonym", "session"])
    answers = items.assign(
        pseudonym=_pseudonymise(items, pseudonyms, "questionnaire", problems))
    answers = answers[["pseudonym", "instrument", "item", "time", "value"]].sort_values(
        ["pseudonym", "instrument", "time", "item"], kind="stable")
    excluded = exclusions.assign(pseudonym=_pseudonymise(
        exclusions, pseudonyms, "input exclusions", problems, allow_unmatched=True))
    excluded = excluded[["stage", "file", "row", "column", "reason", "pseudonym"]].sort_values(
        ["pseudonym", "stage", "file", "row", "column"], kind="stable")

    # transcripts and coded excerpts: one redactor, one mapping, the same per-participant context
    decisions, found = read_decisions(review_decisions)
    problems += found
    # built only when there is text to redact (transcripts, excerpts, goal or baseline texts):
    # its one large pattern of every name variant takes seconds to compile for thousands of
    # parents (a questionnaire-only site needs none)
    journey_texts = journey is not None and any(
        journey.get(k) is not None and len(journey[k]) > 0 for k in ("goals", "baseline_texts"))
    redactor = Redactor(roster, identifiers, pseudonyms,
                        redact_decisions(decisions, pseudonyms),
                        name_decisions=name_decisions(decisions),
                        identifier_columns=config.get("roster", {}).get("direct_identifiers", [])
                        ) if transcripts or not excerpts.empty or journey_texts else None
    allow = {str(a).casefold() for a in settings.get("allow_list", [])}
    changes: list[Replacement] = []
    review: list[dict] = []
    redacted_transcripts: dict[str, str] = {}
    for record_id in sorted(transcripts, key=lambda r: pseudonyms.get(r, r)):
        if record_id not in pseudonyms:
            problems.append(InputProblem("transcripts", None, None, None,
                                         "a transcript named after a roster record_id", ERROR))
            continue
        label = f"transcripts/{pseudonyms[record_id]}.txt"
        text, made, names = redactor.redact_with_review(transcripts[record_id], record_id, label)
        redacted_transcripts[pseudonyms[record_id]] = text
        changes += made
        review += review_items(text, label, allow, {n.output_offset for n in names})
        review += flagged_redactions(made, transcripts[record_id]) + name_review_items(names)
        review += initials_items(text, label, redactor.initials)
    categories = settings.get("diagnosis_categories", {})
    site_categories = [diagnosis_category(d, categories) for d in roster["child_diagnosis"]]
    risks = QuoteRisks(categories, dict(Counter(site_categories)),
                       int(settings.get("k_anonymity", 3)),
                       sorted({d.strip() for d, c in zip(roster["child_diagnosis"],
                                                         site_categories, strict=True)
                               if c == "other"}))
    coded = _coded_excerpts(excerpts, roster, pseudonyms, redactor, allow, changes, review,
                            problems, transcripts, risks)
    # the parents' journey: goal and baseline texts onto the same review list
    journey_result = None
    if journey is not None:
        journey_result = journey_tables(
            roster=roster, identifiers=identifiers, pseudonyms=pseudonyms, config=config,
            redactor=redactor, review=review, allow=allow,
            **{k: journey.get(k) for k in ("goals", "referrals", "lateness", "baseline_items",
                                           "baseline_texts")})

    # secure folder: detailed log and review list
    detail = pd.DataFrame([{c: getattr(r, c) for c in LOG_COLUMNS} for r in changes],
                          columns=LOG_COLUMNS)
    review_frame, found = apply_decisions(review, decisions,
                                          bool(settings.get("release", False)))
    problems += found
    secure_dir.mkdir(parents=True, exist_ok=True)
    _write_secure_csv(detail, secure_dir / "anonymisation_log.csv")
    _write_secure_csv(review_frame, secure_dir / "review_list.csv")
    for problem in problems:
        (log.error if problem.severity == ERROR else log.warning)(problem.format())
    raise_if_errors(problems, f"anonymisation of site {site}")

    # processed folder
    summary = (detail.assign(file=detail["file"].str.replace(r" row \d+$", "", regex=True))
               .groupby(["file", "category"]).size().rename("count").reset_index()
               if not detail.empty else pd.DataFrame(columns=SUMMARY_COLUMNS))
    _write_csv(participants, processed_dir / "participants.csv")
    _write_csv(visits, processed_dir / "attendance.csv")
    _write_csv(answers, processed_dir / "questionnaire_items.csv")
    _write_csv(excluded, processed_dir / "input_exclusions.csv")
    _write_csv(coded, processed_dir / "coded_excerpts.csv")
    _write_csv(summary, processed_dir / "anonymisation_summary.csv")
    _write_csv(steps, processed_dir / "disclosure_control.csv")
    folder = processed_dir / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.glob("*.txt")):
        if stale.stem not in redacted_transcripts:
            stale.unlink()
    for pseudonym, text in sorted(redacted_transcripts.items()):
        (folder / f"{pseudonym}.txt").write_text(text, encoding="utf-8", newline="\n")

    counts = {
        "participants": len(participants),
        "interviews": len(redacted_transcripts),
        "excerpts": len(coded),
        "quotable_excerpts": int(coded["quotable"].sum()) if len(coded) else 0,
        "replacements": len(detail),
        "review_items": len(review_frame),
        "unreviewed": int((review_frame["status"] == "unreviewed").sum()),
        "k_achieved": int(steps.iloc[-1]["k_achieved"]),
        "l_achieved": int(steps.iloc[-1]["l_achieved"]),
    }
    if journey_result is not None:
        counts["journey"] = write_journey(*journey_result, site=site,
                                          processed_dir=processed_dir, secure_dir=secure_dir,
                                          outputs=journey_outputs)
    log.info("anonymised site %s: %s", site, counts)
    return counts


def _coded_excerpts(excerpts: pd.DataFrame, roster: pd.DataFrame, pseudonyms: dict[str, str],
                    redactor: Redactor | None, allow: set[str], changes: list[Replacement],
                    review: list[dict], problems: list[InputProblem],
                    transcripts: dict[str, str] | None = None,
                    risks: QuoteRisks | None = None) -> pd.DataFrame:
    """coded_excerpts.csv: redacted with the transcripts' redactor and the same participant
    context; emptied (``quotable`` False) for parents who did not consent to quotes. An
    excerpt found at its ``start`` in its transcript has its ordinary-word names judged in
    the transcript's context and reported at the transcript's place (one review item, one
    decision for both). Each quotable excerpt gets one review item per indirect identifier
    it still holds (:mod:`.quote_risks`: the child's gender, a rare diagnosis, a club, a faith
    group, an event, a place)."""
    transcripts = transcripts or {}
    if excerpts.empty:
        return pd.DataFrame(columns=EXCERPT_COLUMNS)
    frame = excerpts.copy()
    for column in ("code", "source", "start", "end"):
        if column not in frame.columns:
            frame[column] = ""
    frame["record_id"] = frame["record_id"].fillna("").astype(str)
    frame["pseudonym"] = _pseudonymise(frame, pseudonyms, "coded excerpts", problems)
    consent = dict(zip(roster["record_id"],
                       roster["consent_quotes"].str.strip().str.casefold(), strict=True))
    frame["quotable"] = [consent.get(r) in {"yes", "y", "true"} for r in frame["record_id"]]
    frame["_start"] = pd.to_numeric(frame["start"], errors="coerce")
    frame["_order"] = range(len(frame))
    frame = frame.sort_values(["pseudonym", "_start", "theme", "code", "_order"],
                              kind="stable", na_position="last").reset_index(drop=True)
    texts, codes = [], []
    for index, row in frame.iterrows():
        label = f"coded_excerpts.csv row {int(index) + 2}"
        # code names (a QDA code may be "Mrs Okafor's advice") get the same redaction
        code, made, names = redactor.redact_with_review(str(row["code"]), row["record_id"],
                                                        label)
        changes += made
        for name in names:  # the code's own place on the review list
            name.file = f"{label} code"
        review += name_review_items(names)
        codes.append(code)
        if not row["quotable"] or not row["pseudonym"]:
            texts.append("")
            continue
        within = None
        source = transcripts.get(row["record_id"])
        if source is not None and pd.notna(row["_start"]) and row["pseudonym"]:
            within = (source, int(row["_start"]), f"transcripts/{row['pseudonym']}.txt")
        text, made, names = redactor.redact_with_review(str(row["excerpt"]), row["record_id"],
                                                        label, within=within)
        changes += made
        review += review_items(text, label, allow, {n.output_offset for n in names})
        review += flagged_redactions(made, str(row["excerpt"])) + name_review_items(names)
        review += initials_items(text, label, redactor.initials)
        if risks is not None:
            review += risks.items(text, label)
        texts.append(text)
    frame["excerpt"] = texts
    frame["code"] = codes
    frame["start"] = frame["start"].where(frame["start"].notna(), "")
    return frame[EXCERPT_COLUMNS]
