"""Invitations to the group (referrals.csv): every family invited, whether or not it came."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import check_rows, duplicated_rows, read_csv_text
from parentgroup.problems import WARNING, InputProblem, data_row

COLUMNS = ["referral_id", "date", "route", "response", "decline_reason", "record_id"]


def read_referrals(
    path: Path | None, roster: pd.DataFrame, reasons: list[str]
) -> tuple[pd.DataFrame, list[InputProblem]]:
    """Read the optional ``referrals.csv`` (referral_id, date, route, response accepted /
    declined / no_reply, decline_reason, record_id of an enrolled family).

    No file: an empty table and no problem (the participant flow then starts at enrolment).
    Errors, each located by file, row and column: a cell against
    workflow/schemas/referrals.schema.yaml, a date that is not a calendar date, a decline
    reason outside ``reasons`` (config journey.decline_reasons) or given for a family who did
    not decline, a record_id not on the roster or given for a family who did not accept, a
    repeated referral_id or record_id. Warnings: a declined invitation without a reason
    (counted as "not given"), a roster member with no accepted invitation (enrolled without a
    recorded invitation).

    >>> read_referrals(None, pd.DataFrame({"record_id": []}), [])[0].columns.tolist()[:2]
    ['referral_id', 'date']
    """
    if path is None or not Path(path).exists():
        return pd.DataFrame(columns=COLUMNS), []
    label = Path(path).name
    frame = read_csv_text(path)
    problems = check_rows(frame, "referrals", label)
    if any(p.row == 1 for p in problems):
        return pd.DataFrame(columns=COLUMNS), problems
    for column in ("decline_reason", "record_id"):
        if column not in frame.columns:
            frame[column] = ""
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    known = set(roster["record_id"])
    for index, row in frame.iterrows():
        where = data_row(index)
        if row["date"] and pd.isna(dates[index]) and len(row["date"]) == 10:
            problems.append(InputProblem(label, where, "date", row["date"],
                                         "a calendar date, YYYY-MM-DD"))
        reason = row["decline_reason"]
        if row["response"] == "declined":
            if not reason:
                problems.append(InputProblem(
                    label, where, "decline_reason", None,
                    "a coded reason for a declined invitation (counted as not given)", WARNING))
            elif reason not in reasons:
                problems.append(InputProblem(
                    label, where, "decline_reason", reason,
                    "one of config journey.decline_reasons (" + ", ".join(reasons) + ")"))
        elif reason:
            problems.append(InputProblem(label, where, "decline_reason", reason,
                                         "no reason unless the response is declined"))
        if row["record_id"]:
            if row["response"] != "accepted":
                problems.append(InputProblem(label, where, "record_id", row["record_id"],
                                             "a record_id only for an accepted invitation"))
            elif row["record_id"] not in known:
                problems.append(InputProblem(label, where, "record_id", row["record_id"],
                                             "a record_id listed in roster.csv"))
    problems += duplicated_rows(frame, ["referral_id"], label, "each referral_id")
    linked = frame[frame["record_id"] != ""]
    problems += duplicated_rows(linked, ["record_id"], label, "each record_id")
    for record_id in sorted(known - set(frame["record_id"])):
        problems.append(InputProblem(label, None, "record_id", record_id,
                                     "an accepted invitation for every roster member", WARNING))
    return frame[COLUMNS].copy(), problems
