"""Scores for SPSS users: a wide ``.sav`` file with variable labels, and its codebook.

One row per pseudonym; one variable per instrument, scale, scoring and time, named
``<instrument>_<scale>_<scoring>_<time>`` (e.g. ``prfq_pre_mentalizing_mean_then``) and labelled
``<scale label>, <scoring>, <time>``. The codebook lists every variable with its range and the
instrument it comes from.

With the participants table, the file also carries ``completer`` (1 = attended at least the
completer threshold, 0 = left early, with value labels) right after the pseudonym, so a JASP or
SPSS user who filters on ``completer = 1`` reproduces the report's paired analyses (n = 12 in
the demo, not the 13 parents with both ratings).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyreadstat

from parentgroup.instruments import Instrument
from parentgroup.scoring.scales import ordered_times

log = logging.getLogger(__name__)

CODEBOOK_COLUMNS = ["variable", "label", "instrument", "scale", "scoring", "time", "range_min",
                    "range_max", "source"]


def variable_name(instrument: str, scale: str, scoring: str, time: str) -> str:
    """SPSS variable name of one score: ``<instrument>_<scale>_<scoring>_<time>``."""
    return f"{instrument}_{scale}_{scoring}_{time}"


#: The completer flag's variable (from participants.csv) and its labels.
COMPLETER_VARIABLE = "completer"
COMPLETER_LABEL = ("Completer: attended at least the completer threshold of sessions "
                   "(1 = completer, 0 = left early); filter on 1 to reproduce the report")
COMPLETER_VALUES = {1.0: "completer", 0.0: "left early"}


def codebook(scores: pd.DataFrame, instruments: dict[str, Instrument],
             with_completer: bool = False) -> pd.DataFrame:
    """One row per variable of the wide score file (``pseudonym`` first), in file order.

    Columns: ``variable, label, instrument, scale, scoring, time, range_min, range_max, source``;
    the range is the possible range of the score (k x min .. k x max for a sum), ``source`` the
    instrument's citation.
    """
    rows = [("pseudonym", "Pseudonym (P01, P02, ...)", "", "", "", "", float("nan"),
             float("nan"), "anonymisation stage")]
    if with_completer:
        rows.append((COMPLETER_VARIABLE, COMPLETER_LABEL, "", "", "", "", 0.0, 1.0,
                     "anonymisation stage (participants.csv)"))
    times = ordered_times(scores["time"])
    present = set(zip(scores["instrument"], scores["scale"], scores["scoring"], strict=True))
    for name, instrument in instruments.items():
        for scale in instrument.scales:
            for scoring in scale.scorings:
                if (name, scale.id, scoring) not in present:
                    continue
                low, high = instrument.score_range(scale.id, scoring)
                for time in times:
                    rows.append((
                        variable_name(name, scale.id, scoring, time),
                        f"{scale.label}, {scoring}, {time}", name, scale.id, scoring, time,
                        low, high, instrument.citation,
                    ))
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def scores_wide(scores: pd.DataFrame, instruments: dict[str, Instrument],
                completers: pd.Series | None = None) -> pd.DataFrame:
    """The scores as one row per pseudonym with one column per codebook variable;
    ``completers`` (a boolean Series indexed by pseudonym) adds the ``completer`` flag."""
    book = codebook(scores, instruments, with_completer=completers is not None)
    named = scores.assign(
        variable=[variable_name(*key) for key in zip(
            scores["instrument"], scores["scale"], scores["scoring"], scores["time"], strict=True)]
    )
    wide = named.pivot_table(index="pseudonym", columns="variable", values="score",
                             aggfunc="first", dropna=False)
    variables = [v for v in book["variable"] if v not in ("pseudonym", COMPLETER_VARIABLE)]
    wide = wide.reindex(columns=variables).astype(float)
    if completers is not None:
        flags = completers.copy()
        flags.index = flags.index.astype(str)
        wide.insert(0, COMPLETER_VARIABLE,
                    [float(bool(flags[p])) if p in flags.index else float("nan")
                     for p in wide.index.astype(str)])
    wide = wide.sort_index().reset_index()
    wide["pseudonym"] = wide["pseudonym"].astype(str)
    wide.columns.name = None
    return wide


def write_scores_sav(
    scores: pd.DataFrame, instruments: dict[str, Instrument], path: Path | str,
    completers: pd.Series | None = None,
) -> pd.DataFrame:
    """Write the wide score file as SPSS ``.sav`` (pyreadstat) with variable labels, and the
    ``completer`` flag with value labels when ``completers`` is given.

    Returns the wide frame that was written.
    """
    wide = scores_wide(scores, instruments, completers)
    book = codebook(scores, instruments, with_completer=completers is not None)
    labels = dict(zip(book["variable"], book["label"], strict=True))
    measure = {v: ("nominal" if v in ("pseudonym", COMPLETER_VARIABLE) else "scale")
               for v in wide.columns}
    extra = {}
    if completers is not None:
        extra = {"variable_value_labels": {COMPLETER_VARIABLE: COMPLETER_VALUES},
                 "file_label": "Scale scores; filter completer = 1 for the paired analyses"}
    pyreadstat.write_sav(
        wide, str(path), column_labels=[labels[c] for c in wide.columns],
        variable_measure=measure, **extra,
    )
    _fix_creation_stamp(Path(path))
    log.info("%s: %d respondents x %d score variables", Path(path).name, len(wide),
             wide.shape[1] - 1)
    return wide


#: SPSS system-file header: creation date (9 bytes, "dd mmm yy") at offset 92 and time
#: (8 bytes, "hh:mm:ss") at offset 101 (after the record type, 60-byte product name, five
#: 4-byte fields and the 8-byte bias). A fixed stamp keeps the file byte-identical across runs.
_SAV_STAMP_OFFSET = 92
_SAV_STAMP = b"01 Jan 2600:00:00"


def _fix_creation_stamp(path: Path) -> None:
    data = bytearray(path.read_bytes())
    if data[:4] in (b"$FL2", b"$FL3") and len(data) > _SAV_STAMP_OFFSET + len(_SAV_STAMP):
        data[_SAV_STAMP_OFFSET : _SAV_STAMP_OFFSET + len(_SAV_STAMP)] = _SAV_STAMP
        path.write_bytes(bytes(data))
