"""A second synthetic site with a waitlist comparison arm, for the controlled analysis (SYNTHETIC
DATA).

24 fictional parents: 12 in the intervention arm (11 completers, one early leaver) and 12 on a
waitlist (no sessions). PRFQ and PSOC rated before (``pre``) and after (``post``), a prospective
design. Items come from latent person scores (:func:`parentgroup.demo.questionnaires`):
the intervention arm changes as in the single-group demo (pre-mentalizing and certainty down,
interest and curiosity and the PSOC up); the waitlist arm has no change beyond noise. The seed
is searched forward deterministically until the calibration holds: in the comparison arm every
outcome's |d_z| < 0.35 (no change beyond noise), in the intervention arm every outcome changes
in the calibrated direction with |d_z| > 0.8 (certainty > 0.3). The child's SDQ is rated by
the parent and by a teacher (:func:`sdq_answers`), for the informant agreement; the teacher's
form is a row of its own (:func:`informant_rows`). No interviews,
so the folder stays small.

Rebuild byte for byte::

    python -m parentgroup.demo.controlled --out data/raw/demo_controlled
"""

from __future__ import annotations

import argparse
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from parentgroup.demo import questionnaires as q

log = logging.getLogger(__name__)

SEED = 20261207
SESSIONS = 10
SOURCE_NOTE = "SYNTHETIC DEMO DATA - fictional people"
N_PER_ARM = 12
#: Invented names (no ordinary words), so that nothing in an output can match one by chance.
FIRST = ["Orlaithe", "Zenobie", "Marivel", "Ottoline", "Perpetua", "Rosmunda", "Thessaly",
         "Ysolde", "Briallen", "Cosima", "Delphyne", "Eirwen", "Fenella", "Gwenllian",
         "Honorine", "Ismay", "Jessamy", "Kerensa", "Leocadia", "Morwenna", "Nerys", "Oriel",
         "Petronel", "Quenby"]
CHILD = ["Tarquinn", "Ulfric", "Vespian", "Wystan", "Xanthor", "Yestin", "Zebedor", "Alaric",
         "Bertrand", "Caspian", "Dorian", "Evander", "Florian", "Gideon", "Hadrian", "Ignatius",
         "Jericho", "Kit-Leofric", "Lysander", "Maximus", "Nathaniel", "Octavius", "Peregrine",
         "Quillon"]
SURNAME = ["Quellhorn", "Thrushcombe", "Ravensworth", "Applethwaite", "Brackenridge",
           "Cholmondley", "Drewsteignton", "Etherington", "Fothergill", "Gillingwater",
           "Hebblethwaite", "Illingworth", "Jarrold-Pike", "Kettlewell", "Lumbwright",
           "Mossingham", "Nettlebed", "Oakenshaw", "Pettigrew", "Quarrington", "Rothwell-Vane",
           "Sowerbutts", "Tregothnan", "Uttlesby"]
#: Latent change per scale in the intervention arm (scored items: higher = more of the scale).
CHANGE = {"pre_mentalizing": -1.0, "certainty": -0.35, "interest_curiosity": 1.0,
          "satisfaction": 0.35, "efficacy": 0.35}
SIGN = {("prfq", "pre_mentalizing"): -1, ("prfq", "certainty"): -1,
        ("prfq", "interest_curiosity"): 1, ("psoc", "total"): 1, ("psoc", "satisfaction"): 1,
        ("psoc", "efficacy"): 1}


def roster_table() -> pd.DataFrame:
    """One row per parent: record id, invented names, arm (first half intervention)."""
    rows = []
    for i in range(2 * N_PER_ARM):
        arm = "intervention" if i < N_PER_ARM else "comparison"
        rows.append({
            "record_id": f"WLC-{201 + i}", "parent_name": f"{FIRST[i]} {SURNAME[i]}",
            "child_name": f"{CHILD[i]} {SURNAME[i]}",
            "child_gender": "boy" if i % 3 else "girl",
            "child_diagnosis": ["ADHD", "autism", "ODD", "anxiety"][i % 4],
            "relationship": "father" if i % 5 == 0 else "mother",
            "group": "Group W" if arm == "intervention" else "Waitlist",
            "consent_quotes": "no", "arm": arm, "data_source": SOURCE_NOTE,
        })
    return pd.DataFrame(rows)


def attendance_table(rng: np.random.Generator, record_ids: list[str]) -> pd.DataFrame:
    """Every parent's register: in the intervention arm (the first half) completers attend
    6-10 sessions and the arm's last parent 3, then stopped; the waitlist attends none (rows
    with 0, so every roster member has a register)."""
    rows = []
    for position, record_id in enumerate(record_ids):
        if position >= N_PER_ARM:
            attended = 0
        elif position == N_PER_ARM - 1:
            attended = 3
        else:
            attended = int(rng.integers(6, SESSIONS + 1))
        weeks = (set(range(1, attended + 1)) if attended < 6
                 else set(rng.choice(np.arange(1, SESSIONS + 1), attended, replace=False)))
        for session in range(1, SESSIONS + 1):
            rows.append({"record_id": record_id, "session": session,
                         "attended": int(session in weeks)})
    return pd.DataFrame(rows)


def arm_items(rng: np.random.Generator, n: int, treated: bool) -> dict[str, np.ndarray]:
    """Scored item matrices (reverse keys applied) of one arm, keyed prfq_then ... psoc_now."""
    prfq_then, prfq_now = np.full((n, 18), np.nan), np.full((n, 18), np.nan)
    for scale, centre in (("pre_mentalizing", 4.1), ("certainty", 4.6),
                          ("interest_curiosity", 4.4)):
        change = CHANGE[scale] if treated else 0.0
        then, now = q._latent_items(rng, n, 6, 7, centre, change, 0.9, 0.6,
                                    0.6 if treated else 0.35)
        columns = [i - 1 for i in q.PRFQ_SCALES[scale]]
        prfq_then[:, columns], prfq_now[:, columns] = then, now
    psoc_then, psoc_now = np.full((n, 17), np.nan), np.full((n, 17), np.nan)
    for items, centre, scale in ((q.PSOC_SATISFACTION, 3.2, "satisfaction"),
                                 ([*q.PSOC_EFFICACY, 17], 3.4, "efficacy")):
        change = CHANGE[scale] if treated else 0.0
        then, now = q._latent_items(rng, n, len(items), 6, centre, change, 0.7, 0.6,
                                    0.6 if treated else 0.35)
        psoc_then[:, [i - 1 for i in items]], psoc_now[:, [i - 1 for i in items]] = then, now
    return {"prfq_then": prfq_then, "prfq_now": prfq_now,
            "psoc_then": psoc_then, "psoc_now": psoc_now}


#: SDQ (0-2 items; reverse-keyed items are presented reversed): the difficulty items and the
#: positively worded ones among them, the prosocial items, the screening question of the impact
#: supplement (0-3) and the impact items (0-3) per form.
SDQ_DIFFICULTY = [2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 18, 19, 21, 22, 23, 24, 25]
SDQ_REVERSED = {7, 11, 14, 21, 25}
SDQ_PROSOCIAL = [1, 4, 9, 17, 20]
SDQ_SCREENING = 26
SDQ_IMPACT = {"sdq_parent": [27, 28, 29, 30, 31], "sdq_teacher": [27, 28, 29]}


def sdq_answers(rng: np.random.Generator, n_per_arm: int) -> dict[str, np.ndarray]:
    """Parent- and teacher-rated SDQ answers (as ticked) of every child, pre and post.

    One latent difficulty level per child (a child with conduct and neurodevelopmental needs:
    around 1 on the 0-2 item scale); in the intervention arm it falls by about 0.25 item points
    (about 5 points of total difficulties), in the waitlist not. Each informant sees the child's
    level and change with their own noise, so their changes correlate but not perfectly; an
    informant's reading of an item is partly stable for a child (the same at both times) and
    partly of the occasion. The impact supplement follows the same level: the screening
    question (0 = no ... 3 = severe) and the impact items on their 0-3 scale.
    """
    n = 2 * n_per_arm
    level = rng.normal(1.0, 0.3, n)
    change = np.where(np.arange(n) < n_per_arm, -0.25, 0.0) + rng.normal(0, 0.15, n)
    out = {}
    for form, noise in (("sdq_parent", 0.1), ("sdq_teacher", 0.15)):
        seen_level = level + rng.normal(0, noise, n)
        seen_change = change + rng.normal(0, noise, n)
        stable = rng.normal(0, 0.45, (n, 25))  # how this informant reads each item for a child
        for time, shift in (("pre", 0.0), ("post", 1.0)):
            answers = np.full((n, SDQ_IMPACT[form][-1]), np.nan)
            latent = seen_level + shift * seen_change
            for item in SDQ_DIFFICULTY:
                scored = np.clip(np.rint(latent[:, None] + stable[:, [item - 1]]
                                         + rng.normal(0, 0.3, (n, 1))), 0, 2)
                answers[:, item - 1] = (2 - scored[:, 0]) if item in SDQ_REVERSED else scored[:, 0]
            for item in SDQ_PROSOCIAL:
                answers[:, item - 1] = np.clip(np.rint(2.2 - latent + rng.normal(0, 0.55, n)),
                                               0, 2)
            answers[:, SDQ_SCREENING - 1] = np.clip(
                np.rint(1.8 * latent - 0.4 + rng.normal(0, 0.5, n)), 0, 3)
            for item in SDQ_IMPACT[form]:
                answers[:, item - 1] = np.clip(np.rint(1.6 * latent - 0.2 + rng.normal(0, 0.6, n)),
                                               0, 3)
            out[f"{form}_{time}"] = answers
    return out


def sdq_columns(answers: dict[str, np.ndarray]) -> pd.DataFrame:
    """The SDQ item columns (sdq_parent_01_pre ...), empty cell for missing."""
    columns = {}
    for form in SDQ_IMPACT:
        for time in ("pre", "post"):
            matrix = answers[f"{form}_{time}"]
            for item in range(1, matrix.shape[1] + 1):
                columns[f"{form}_{item:02d}_{time}"] = [
                    "" if np.isnan(v) else str(int(v)) for v in matrix[:, item - 1]]
    return pd.DataFrame(columns)


def informant_rows(parent_table: pd.DataFrame, sdq: pd.DataFrame) -> pd.DataFrame:
    """The questionnaire as each informant fills it in: one parent row per family (the parent's
    questionnaires and their SDQ) and one teacher row (the teacher's SDQ), named in the
    ``informant`` column and keyed by the parent's record_id, the child's link on the roster."""
    rows = []
    for who, forms in (("parent", ["sdq_parent"]), ("teacher", ["sdq_teacher"])):
        part = pd.concat([parent_table, sdq], axis=1) if who == "parent" else pd.concat(
            [parent_table[["record_id"]], sdq], axis=1)
        blank = [c for c in sdq if not any(c.startswith(form + "_") for form in forms)]
        part[blank] = ""
        part.insert(1, "informant", who)
        rows.append(part)
    return pd.concat(rows, ignore_index=True).fillna("").copy()


def arm_d_z(scored: dict[str, np.ndarray], rows: slice) -> dict[tuple[str, str], float]:
    """d_z of every outcome over the given rows (the pipeline's scoring rules, written out)."""
    part = {key: matrix[rows] for key, matrix in scored.items()}
    return {key: q.d_z(*q._scores(part, *key)) for key in SIGN}


def calibrated(scored_t: dict, scored_c: dict) -> bool:
    """The calibration: no change beyond noise on the waitlist, the effect in the intervention
    arm's completers (all but the last parent)."""
    treated = arm_d_z(scored_t, slice(0, N_PER_ARM - 1))
    control = arm_d_z(scored_c, slice(0, N_PER_ARM))
    strong = all(SIGN[k] * v > (0.3 if k[1] == "certainty" else 0.8) for k, v in treated.items())
    return strong and all(abs(v) < 0.35 for v in control.values())


def build_controlled_demo_site(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the controlled demo site into ``out_dir``; returns the files written (sorted).
    Deterministic: the same seed gives byte-identical files."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    roster = roster_table()
    for attempt in range(1000):
        rng = np.random.default_rng([seed, attempt])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            scored_t = arm_items(rng, N_PER_ARM, True)
            scored_c = arm_items(rng, N_PER_ARM, False)
            if calibrated(scored_t, scored_c):
                break
    else:
        raise RuntimeError("controlled demo: no calibrated draw in 1000 attempts")
    scored = {key: np.vstack([scored_t[key], scored_c[key]]) for key in scored_t}
    table = q.questionnaire_table(list(roster["record_id"]), q.presented(scored))
    table.columns = [c.replace("_then", "_pre").replace("_now", "_post") for c in table.columns]
    table = informant_rows(table, sdq_columns(sdq_answers(rng, N_PER_ARM)))
    table["data_source"] = SOURCE_NOTE
    attendance = attendance_table(rng, list(roster["record_id"]))
    files = {"roster.csv": roster, "attendance.csv": attendance, "questionnaire.csv": table}
    written = []
    for name, frame in files.items():
        path = out_dir / name
        path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        written.append(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        treated = arm_d_z(scored_t, slice(0, N_PER_ARM - 1))
        control = arm_d_z(scored_c, slice(0, N_PER_ARM))
    summary = "\n".join(f"| {i} {s} | {treated[(i, s)]:+.3f} | {control[(i, s)]:+.3f} |"
                        for i, s in SIGN)
    identifiers = out_dir / "identifiers.yaml"
    identifiers.write_bytes(IDENTIFIERS.encode("utf-8"))
    written.append(identifiers)
    readme = out_dir / "README.md"
    readme.write_bytes(README.format(seed=seed, attempt=attempt, summary=summary).encode())
    written.append(readme)
    log.info("controlled demo site written to %s (draw %d)", out_dir, attempt)
    return sorted(written)


#: The site's identifiers file: it states that its files name no member of staff, no school and
#: no town (every site states all three; parentgroup.inputs.identifiers).
IDENTIFIERS = """# SYNTHETIC DEMO DATA. No interviews and no free text: nothing here names a member of
# staff, the school or the town, and the empty entries say so (README: 'Bring your own data').
staff: {}
school: []
town: []
leak_allow_list: []
"""

README = """# Controlled demo site: SYNTHETIC DATA

Every person in this folder is fictional (invented names, no contact details). A waitlist-
controlled version of the parent learning group, for the controlled analysis (roster column
`arm`). Rebuilt byte for byte by the seeded generator (`workflow/parentgroup/demo/controlled.py`):

    python -m parentgroup.demo.controlled --out data/raw/demo_controlled --seed {seed}

| file | content |
|---|---|
| roster.csv | 24 parents: 12 `intervention`, 12 `comparison` (waitlist) |
| attendance.csv | 10 sessions: 11 intervention completers (6-10), one left after 3; the waitlist 0 |
| identifiers.yaml | no staff, school or town names: empty entries, stated explicitly |
| questionnaire.csv | one row per informant (column `informant`): the parent's row has PRFQ and PSOC rated `pre` and `post` (prospective design) and their SDQ about the child (`sdq_parent_*`); the teacher's row, keyed by the same record_id, the teacher's SDQ (`sdq_teacher_*`); SDQ scoring key only, with the impact supplement |

Run it with `config/controlled-demo.yaml` (README, "A controlled design").
Seed {seed}, draw {attempt}. d_z of the change (post - pre) in each arm (intervention:
completers):

| outcome | intervention | waitlist |
|---|---|---|
{summary}
"""


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m parentgroup.demo.controlled --out DIR [--seed N]``."""
    parser = argparse.ArgumentParser(description="Rebuild the synthetic controlled demo site.")
    parser.add_argument("--out", type=Path, default=Path("data/raw/demo_controlled"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build_controlled_demo_site(args.out, args.seed):
        log.info("  %s", path)


if __name__ == "__main__":
    main()
