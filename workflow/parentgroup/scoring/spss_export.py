"""Scores for SPSS users: a wide ``.sav`` file with variable labels, and its codebook.

One row per pseudonym; one variable per instrument, scale, scoring and time, named
``<instrument>_<scale>_<scoring>_<time>`` (e.g. ``prfq_pre_mentalizing_mean_then``) and labelled
``<scale label>, <scoring>, <time>``. The codebook lists every variable with its range and the
instrument it comes from.
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


def codebook(scores: pd.DataFrame, instruments: dict[str, Instrument]) -> pd.DataFrame:
    """One row per variable of the wide score file (``pseudonym`` first), in file order.

    Columns: ``variable, label, instrument, scale, scoring, time, range_min, range_max, source``;
    the range is the possible range of the score (k x min .. k x max for a sum), ``source`` the
    instrument's citation.
    """
    rows = [("pseudonym", "Pseudonym (P01, P02, ...)", "", "", "", "", float("nan"),
             float("nan"), "anonymisation stage")]
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


def scores_wide(scores: pd.DataFrame, instruments: dict[str, Instrument]) -> pd.DataFrame:
    """The scores as one row per pseudonym with one column per codebook variable."""
    book = codebook(scores, instruments)
    named = scores.assign(
        variable=[variable_name(*key) for key in zip(
            scores["instrument"], scores["scale"], scores["scoring"], scores["time"], strict=True)]
    )
    wide = named.pivot_table(index="pseudonym", columns="variable", values="score",
                             aggfunc="first", dropna=False)
    variables = [v for v in book["variable"] if v != "pseudonym"]
    wide = wide.reindex(columns=variables).astype(float)
    wide = wide.sort_index().reset_index()
    wide["pseudonym"] = wide["pseudonym"].astype(str)
    wide.columns.name = None
    return wide


def write_scores_sav(
    scores: pd.DataFrame, instruments: dict[str, Instrument], path: Path | str
) -> pd.DataFrame:
    """Write the wide score file as SPSS ``.sav`` (pyreadstat) with variable labels.

    Returns the wide frame that was written.
    """
    wide = scores_wide(scores, instruments)
    book = codebook(scores, instruments)
    labels = dict(zip(book["variable"], book["label"], strict=True))
    measure = {v: ("nominal" if v == "pseudonym" else "scale") for v in wide.columns}
    pyreadstat.write_sav(
        wide, str(path), column_labels=[labels[c] for c in wide.columns],
        variable_measure=measure,
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
