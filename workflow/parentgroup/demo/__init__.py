"""The synthetic demo site, rebuilt byte for byte from a seed (SYNTHETIC DATA: fictional people).

``python -m parentgroup.demo --out data/raw/demo [--seed 20260321]`` writes: roster.csv,
attendance.csv, questionnaire.csv (PRFQ and PSOC then/now, calibrated so the pipeline
reproduces the published effects), transcripts/<record_id>.txt (twelve semi-structured
interviews), coded_excerpts.csv and the same coding as a REFI-QDA project (coding.qdpx) and
codebook (codebook.qdc), identifiers.yaml (the staff, school and town names the interviews
mention) and a README. Nothing depends on the clock, the machine or dict/set
ordering: one ``numpy.random.Generator`` seeded with ``seed`` drives every choice, in a fixed
order. ``review_decisions.csv`` (the researchers' decisions on the anonymisation review list) is
kept by hand and never written here.
"""

from __future__ import annotations

import argparse
import logging
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from parentgroup.demo import coding, journey, questionnaires
from parentgroup.demo.people import FAMILIES, GROUP, SCHOOL, SOURCE_NOTE, STAFF, TOWN, Family
from parentgroup.demo.refi_qda_export import THEME_NAMES, refi_qda_project
from parentgroup.demo.transcripts import Interview, interview, theme_assignments

log = logging.getLogger(__name__)
SEED = 20260321
SESSIONS = 10
ROSTER_COLUMNS = [
    "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
    "partner_name", "sibling_names", "email", "phone", "postcode", "child_dob", "child_gender",
    "child_diagnosis", "relationship", "group", "consent_quotes", "reason_left", "data_source",
]
WORDS = (800, 1500)
DECOYS = ["grace period", "Will you", " may ", " hope", " rose"]

__all__ = ["SEED", "THEME_NAMES", "build_demo_site", "main"]


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


#: The staff's roles as the identifiers file gives them ([Teacher], [SENCo], ...).
STAFF_ROLES = {"teacher": "Teacher", "senco": "SENCo", "fsw": "Family support worker"}


def identifiers_yaml() -> str:
    """identifiers.yaml: the staff (full name -> role), the school's names and the town."""
    lines = [
        "# SYNTHETIC DEMO DATA: fictional staff, school and town. A real site's file holds real",
        "# names: it stays in data/raw/<site>/ (workflow/schemas/identifiers.schema.yaml).",
        "staff:",
        *(f'  "{STAFF[key][0]}": {STAFF_ROLES[key]}' for key in STAFF),
        "school: [" + ", ".join(f'"{name}"' for name in SCHOOL) + "]",
        f'town: ["{TOWN}"]',
        "leak_allow_list: []",
    ]
    return "\n".join(lines) + "\n"


def roster_table() -> pd.DataFrame:
    """One row per enrolled parent, in the columns of data-contracts section 0."""
    rows = [
        [f.record_id, f.parent_name, f.parent_nicknames, f.child_name, f.child_nicknames,
         f.partner_name, f.sibling_names, f.email, f.phone, f.postcode, f.child_dob,
         f.child_gender, f.child_diagnosis, f.relationship, GROUP, f.consent_quotes,
         f.reason_left, SOURCE_NOTE]
        for f in FAMILIES
    ]
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def attendance_table(rng: np.random.Generator, sessions: int = SESSIONS) -> pd.DataFrame:
    """Completers attend 6-10 of the sessions (any weeks); early leavers attend 2-4, then stop."""
    rows = []
    for family in FAMILIES:
        if family.completer:
            attended = int(rng.integers(6, sessions + 1))
            present = {int(s) for s in rng.choice(np.arange(1, sessions + 1), attended,
                                                  replace=False)}
        else:
            present = set(range(1, int(rng.integers(2, 5)) + 1))
        for session in range(1, sessions + 1):
            rows.append([family.record_id, session, int(session in present), SOURCE_NOTE])
    return pd.DataFrame(rows, columns=["record_id", "session", "attended", "data_source"])


def _assignments(rng: np.random.Generator, n: int, variants: int) -> list[int]:
    """Each variant used about equally often, in a seeded order."""
    pool = [i % variants for i in range(n)]
    return [pool[int(i)] for i in rng.permutation(n)]


def interviews(rng: np.random.Generator) -> list[Interview]:
    """The twelve completers' interviews, checked for what the anonymiser must meet."""
    completers = [f for f in FAMILIES if f.completer]
    n = len(completers)
    family_variants = _assignments(rng, n, 5)
    contact_variants = _assignments(rng, n, 6)
    # partners whose names end in s get the passage with their possessive ("Chris' family")
    need = [i for i, f in enumerate(completers) if f.partner_first.endswith("s")]
    for i in need:
        if family_variants[i] != 1:
            j = next(j for j in range(n) if family_variants[j] == 1 and j not in need)
            family_variants[i], family_variants[j] = 1, family_variants[i]
    shout, lower = (int(i) for i in rng.choice(n, 2, replace=False))
    told = theme_assignments(rng, n)  # distinct coded sentences across parents, per theme
    mothers = [f for f in completers if f.relationship == "mother"]
    out = []
    for i, family in enumerate(completers):
        others = [f for f in mothers if f.record_id != family.record_id]
        other = others[int(rng.integers(len(others)))]
        out.append(interview(family, other, rng, family_variant=family_variants[i],
                             contact_variant=contact_variants[i], shout=i == shout,
                             lower=i == lower, told=told[i]))
    _check_interviews(completers, out)
    return out


def _check_interviews(completers: list[Family], done: list[Interview]) -> None:
    """The generator's promises about the interviews (raise rather than write a weaker site)."""
    everything = "\n".join(i.text for i in done)
    for family, item in zip(completers, done, strict=True):
        words = len(item.text.split())
        if not WORDS[0] <= words <= WORDS[1]:
            raise RuntimeError(f"{family.record_id}: {words} words, outside {WORDS}")
        flat = item.text.replace("\n", " ")
        for needed in (family.child_first, family.child_nick, family.partner_first,
                       family.sibling_firsts[0], SCHOOL[1], TOWN):
            if needed not in flat:
                raise RuntimeError(f"{family.record_id}: the interview never says {needed!r}")
        others = [f.called for f in completers if f.record_id != family.record_id]
        if not any(name in flat for name in others):
            raise RuntimeError(f"{family.record_id}: the interview names no other group member")
        if not any(form in flat for forms in STAFF.values() for form in forms):
            raise RuntimeError(f"{family.record_id}: the interview names no member of staff")
    flat = everything.replace("\n", " ")
    for needed in [*DECOYS, "’s", "Chris'", "@riverside.sch.uk", "https://", "14th March",
                   "03/02/2025", "07700 900555", SCHOOL[0], TOWN]:
        if needed not in flat:
            raise RuntimeError(f"no interview contains {needed!r}")
    names = [STAFF[k][0] for k in sorted(STAFF)] + [SCHOOL[0], TOWN]
    names += [f.child_name.upper() for f in completers]
    if not any(name.replace(" ", "\n", 1) in everything for name in names):
        raise RuntimeError("no full name is split across a line break")


def questionnaire_table(rng: np.random.Generator) -> tuple[pd.DataFrame, dict]:
    """Calibrated completers, one early leaver with answers (the other has no row)."""
    completers = [f.record_id for f in FAMILIES if f.completer]
    leaver = next(f.record_id for f in FAMILIES if not f.completer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scored = questionnaires.calibrated_completers(rng, len(completers))
    answers_leaver = questionnaires.early_leaver(rng)
    presented = questionnaires.presented(scored)
    presented_leaver = questionnaires.presented(answers_leaver)
    answers = {key: np.vstack([presented[key], presented_leaver[key]]) for key in presented}
    table = questionnaires.questionnaire_table([*completers, leaver], answers)
    table["data_source"] = SOURCE_NOTE
    return table, scored


README = """# Demo site: SYNTHETIC DATA

Every person, family, school, town, phone number and email address in this folder is fictional,
made up for the demo (phone numbers are from Ofcom's ranges reserved for drama, postcodes use
outward codes that do not exist). The files are rebuilt byte for byte by the seeded generator
(`workflow/parentgroup/demo/`):

    python -m parentgroup.demo --out data/raw/demo --seed {seed}

| file | content |
|---|---|
| roster.csv | 14 enrolled parents in one group (identifiers with the hard cases a redactor meets: apostrophes, hyphens, accents, names that are ordinary words, nicknames, partners, siblings) |
| attendance.csv | 10 weekly sessions; 12 completers (6-10 sessions), 2 early leavers (2-4 sessions, then stopped); minutes late for each attended session |
| referrals.csv | 25 families invited: the 14 who enrolled, 8 who declined (coded reasons) and 3 who never replied |
| goals.csv | 2-3 goals per parent in their own words (naming the child), rated 0-10 at baseline, mid-point and review |
| baseline_form.csv | each parent's baseline form about the child (instrument baseline_child: at home, with siblings and friends, homework; 1-5) with a free-text answer per domain |
| questionnaire.csv | PRFQ (18 items, 1-7) and PSOC (17 items, 1-6, 1 = strongly disagree ... 6 = strongly agree) rated "then" and "now" (retrospective design); 13 rows: one early leaver answered, the other did not; 4 items left blank |
| transcripts/ | 12 semi-structured interviews with the completers, 800-1500 words each |
| coded_excerpts.csv | 3-6 coded excerpts per interview for the six themes (verbatim, `text[start:end]`) |
| coding.qdpx, codebook.qdc | the same coding as a REFI-QDA (QDA-XML 1.0) project and codebook |
| review_decisions.csv | the researchers' decisions on the anonymisation review list (kept by hand, not generated) |

Seed: {seed}. The questionnaires are calibrated to the published effects (Chelouche-Dwek &
Fonagy 2026). Achieved over the 12 completers (d_z = mean change / SD of change, change = now -
then): {achieved}.
"""


def build_demo_site(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the demo site into ``out_dir``; returns the files written (sorted).

    Deterministic: the same seed gives byte-identical files on any machine and day.
    """
    out_dir = Path(out_dir)
    (out_dir / "transcripts").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []

    def write(name: str, content: str | bytes) -> None:
        path = out_dir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))
        written.append(path)

    write("roster.csv", roster_table().to_csv(index=False, lineterminator="\n"))
    visits = attendance_table(rng)
    # the parents' journey draws from its own stream, so nothing below depends on it
    steps = journey.journey_generator(seed)
    visits = journey.add_lateness(visits, steps)
    write("attendance.csv", visits.to_csv(index=False, lineterminator="\n"))
    write("referrals.csv", journey.referrals_table(steps).to_csv(index=False, lineterminator="\n"))
    write("goals.csv", journey.goals_table(steps, SESSIONS).to_csv(index=False,
                                                                   lineterminator="\n"))
    write("baseline_form.csv", journey.baseline_form_table(steps).to_csv(
        index=False, lineterminator="\n"))
    table, scored = questionnaire_table(rng)
    write("questionnaire.csv", table.to_csv(index=False, lineterminator="\n"))
    done = interviews(rng)
    for item in done:
        write(f"transcripts/{item.record_id}.txt", item.text)
    excerpts = coding.excerpt_table(done, coding.coded_themes(rng, len(done)), rng)
    texts = {item.record_id: item.text for item in done}
    for row in excerpts.itertuples():
        if texts[row.record_id][row.start : row.end] != row.excerpt:
            raise RuntimeError(f"{row.record_id}: excerpt at {row.start} is not verbatim")
    write("coded_excerpts.csv", excerpts.to_csv(index=False, lineterminator="\n"))
    qdpx, qdc = refi_qda_project(texts, excerpts, seed)
    write("coding.qdpx", qdpx)
    write("codebook.qdc", qdc)
    write("identifiers.yaml", identifiers_yaml())
    achieved = questionnaires.achieved(scored)
    summary = "; ".join(f"{i} {s} {v:+.3f}" for (i, s), v in achieved.items())
    write("README.md", README.format(seed=seed, achieved=summary))
    log.info("demo site written to %s (%s)", out_dir, summary)
    return sorted(written)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m parentgroup.demo --out DIR [--seed N]``."""
    parser = argparse.ArgumentParser(description="Rebuild the synthetic demo site.")
    parser.add_argument("--out", type=Path, default=Path("data/raw/demo"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build_demo_site(args.out, args.seed):
        log.info("  %s", path)
