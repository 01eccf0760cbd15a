"""The synthetic demo site, rebuilt byte for byte from a seed (SYNTHETIC DATA: fictional people).

``python -m parentgroup.demo --out data/raw/demo`` writes: roster.csv, attendance.csv,
questionnaire.csv (PRFQ and PSOC then/now, calibrated so the pipeline reproduces the published
effects), transcripts/<record_id>.txt (twelve semi-structured interviews), coded_excerpts.csv
and the same coding as a REFI-QDA project (coding.qdpx) and codebook (codebook.qdc), and a
README. Nothing depends on the clock, the machine or dict/set ordering.
"""

from __future__ import annotations

import argparse
import io
import logging
import textwrap
import uuid
import warnings
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from parentgroup.demo import passages
from parentgroup.demo.people import FAMILIES, SCHOOL, STAFF, TOWN
from parentgroup.demo.questionnaires import (
    achieved,
    calibrated_completers,
    early_leaver,
    presented,
    questionnaire_table,
)

log = logging.getLogger(__name__)
SEED = 20260321
SOURCE_NOTE = "SYNTHETIC DEMO DATA - fictional people"
ROSTER_COLUMNS = [
    "record_id", "parent_name", "parent_nicknames", "child_name", "child_nicknames",
    "partner_name", "sibling_names", "email", "phone", "postcode", "child_dob", "child_gender",
    "child_diagnosis", "relationship", "group", "consent_quotes", "reason_left", "data_source",
]
THEME_NAMES = {
    "relational_safety": "Relational safety",
    "enhanced_mentalizing": "Enhanced mentalizing capacity",
    "affect_regulation": "Improved affect regulation",
    "transformed_interactions": "Transformed parent-child interactions",
    "reduced_stress": "Reduced parental stress",
    "facilitation_style": "Facilitation style as an active ingredient",
}
NAMESPACE = uuid.UUID("6f1c1c9e-2f4b-4c1e-9a53-2d6c0f5b7a10")


def _csv(frame: pd.DataFrame, path: Path) -> None:
    path.write_text(frame.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def roster_table() -> pd.DataFrame:
    rows = []
    for family in FAMILIES:
        (record_id, parent, parent_nick, child, child_nick, partner, siblings, email, phone,
         postcode, dob, gender, diagnosis, relationship, consent, _completer, reason) = family
        rows.append([record_id, parent, parent_nick, child, child_nick, partner, siblings, email,
                     phone, postcode, dob, gender, diagnosis, relationship, "Group A", consent,
                     reason, SOURCE_NOTE])
    return pd.DataFrame(rows, columns=ROSTER_COLUMNS)


def attendance_table(rng: np.random.Generator, sessions: int = 10) -> pd.DataFrame:
    rows = []
    for family in FAMILIES:
        record_id, completer = family[0], family[15]
        if completer:
            attended = int(rng.integers(6, sessions + 1))
            present = sorted(rng.choice(np.arange(1, sessions + 1), attended, replace=False))
        else:
            stop = int(rng.integers(2, 5))
            present = list(range(1, stop + 1))
        for session in range(1, sessions + 1):
            rows.append([record_id, session, int(session in present), SOURCE_NOTE])
    return pd.DataFrame(rows, columns=["record_id", "session", "attended", "data_source"])


def _first(name: str) -> str:
    return name.split()[0] if name else ""


def _fill(template: str, values: dict[str, str]) -> str:
    return template.format(**values)


def _turn(speaker: str, text: str, width: int = 88) -> str:
    return textwrap.fill(f"{speaker}: {text}", width=width, break_on_hyphens=False)


def transcript(
    family: tuple, index: int, rng: np.random.Generator, others: list[str]
) -> tuple[str, list[tuple[str, str, str]]]:
    """One interview and its coded excerpts [(theme, code, excerpt)]."""
    (record_id, parent, _pn, child, child_nick, partner, siblings, *_rest) = family
    gender = family[11]
    child_first = _first(child)
    values = {
        "child": child_first,
        "nick": child_nick.split(";")[0].strip() or child_first,
        "partner": _first(partner) or "my mum",
        "partner_word": "partner" if partner else "mum",
        "sib": siblings.split(";")[0].split()[0] if siblings else "my sister",
        "other": others[index % len(others)],
        "teacher": STAFF["teacher"][1],
        "teacher_first": _first(STAFF["teacher"][0]),
        "senco": STAFF["senco"][1],
        "fsw": STAFF["fsw"][1],
        "school": SCHOOL[0],
        "school_short": SCHOOL[1],
        "town": TOWN,
        "he": "he" if gender == "boy" else "she",
        "him": "him" if gender == "boy" else "her",
        "his": "his" if gender == "boy" else "her",
        "staff_phone": "07700 900555",
        "staff_email": "s.haddad@riverside.sch.uk",
        "url": "https://www.example.org/parent-group/handouts",
        "date_words": "14th March",
        "date_numeric": "03/02/2025",
    }
    turns = [
        "[SYNTHETIC DEMO TRANSCRIPT - fictional people and places]",
        _turn("Interviewer", passages.INTRO_QUESTIONS[index % 2]),
        _turn("Parent", _fill(passages.INTROS[index % 3], values)),
    ]
    coded: list[tuple[str, str, str]] = []
    for theme_index, (theme, bank) in enumerate(passages.THEMES.items()):
        # not every interview speaks to every theme: about a third of the pairs are uncoded
        theme_coded = (index * 7 + theme_index * 3) % 10 < 7
        question = bank["questions"][int(rng.integers(len(bank["questions"])))]
        turns.append(_turn("Interviewer", _fill(question, values)))
        order = rng.permutation(len(bank["passages"]))[:2]
        for n, choice in enumerate(sorted(order)):
            text = _fill(bank["passages"][choice], values)
            excerpt = text[text.index("«") + 1 : text.index("»")]
            turns.append(_turn("Parent", text.replace("«", "").replace("»", "")))
            if theme_coded and (n == 0 or (index + choice) % 2 == 0):
                coded.append((theme, f"{theme.replace('_', ' ')} {choice + 1}", excerpt))
            if n == 0:
                turns.append(_turn("Interviewer", "Can you say a bit more about that?"))
    if index % 3 == 0:
        line = passages.CONTACT_LINES[(index // 3) % len(passages.CONTACT_LINES)]
        turns.append(_turn("Interviewer", "Did you have contact with the staff between sessions?"))
        turns.append(textwrap.fill(_fill(line, values), width=88, break_on_hyphens=False))
    if index == 1:
        turns.append(_turn("Parent", f"Honestly, {child.upper()} is a different child. Even "
                           f"{values['partner'].lower()} says so, and {child_first.lower()}'s "
                           "nan."))
    if index == 4:
        turns.append(_turn("Parent", f"I want to say thank you to {STAFF['teacher'][0]} and to "
                           f"{STAFF['fsw'][0]}, and to {parent}'s own mum for the lifts to "
                           f"{SCHOOL[0]}."))
    turns.append(_turn("Interviewer", passages.CLOSING_QUESTIONS[index % 2]))
    turns.append(_turn("Parent", _fill(passages.CLOSINGS[index % 3], values)))
    turns.append(_turn("Interviewer", "Thank you so much, that's really helpful."))
    return "\n\n".join(turns) + "\n", coded


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def refi_qda_project(texts: dict[str, str], excerpts: pd.DataFrame) -> tuple[bytes, bytes]:
    """The coding as a REFI-QDA (QDA-XML 1.0) project archive and codebook."""
    user = _guid("user")
    codes = "\n".join(
        f'        <Code guid="{_guid("code", theme)}" name={quoteattr(name)} isCodable="true"/>'
        for theme, name in THEME_NAMES.items()
    )
    codebook_xml = (
        f'<Code guid="{_guid("code", "themes")}" name="Themes" isCodable="false">\n{codes}\n'
        "      </Code>"
    )
    sources, cases, files = [], [], {}
    for record_id in sorted(texts):
        source = _guid("source", record_id)
        files[f"sources/{source}.txt"] = texts[record_id].encode("utf-8")
        selections = []
        rows = excerpts[excerpts["record_id"] == record_id]
        for row in rows.itertuples():
            selections.append(
                f'      <PlainTextSelection guid="{_guid("sel", record_id, str(row.start))}" '
                f'name={quoteattr(row.excerpt)} startPosition="{row.start}" '
                f'endPosition="{row.end}" creatingUser="{user}">\n'
                f'        <Coding guid="{_guid("coding", record_id, str(row.start))}" '
                f'creatingUser="{user}"><CodeRef targetGUID="{_guid("code", row.theme)}"/>'
                "</Coding>\n      </PlainTextSelection>"
            )
        sources.append(
            f'    <TextSource guid="{source}" name="{record_id}" '
            f'plainTextPath="internal://{source}.txt" creatingUser="{user}">\n'
            + "\n".join(selections) + "\n    </TextSource>"
        )
        cases.append(
            f'    <Case guid="{_guid("case", record_id)}" name="{record_id}">'
            f'<SourceRef targetGUID="{source}"/></Case>'
        )
    project = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Parent group interviews (synthetic demo)" '
        'origin="parentgroup demo generator">\n'
        f'  <Users><User guid="{user}" name="Demo coder" id="DC"/></Users>\n'
        f"  <CodeBook>\n    <Codes>\n      {codebook_xml}\n    </Codes>\n  </CodeBook>\n"
        "  <Cases>\n" + "\n".join(cases) + "\n  </Cases>\n"
        "  <Sources>\n" + "\n".join(sources) + "\n  </Sources>\n"
        f"  <Description>{escape(SOURCE_NOTE)}: coding of the synthetic demo "
        "interviews.</Description>\n</Project>\n"
    )
    files["project.qde"] = project.encode("utf-8")
    qdc = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="parentgroup demo generator">\n'
        f"  <Codes>\n    {codebook_xml}\n  </Codes>\n</CodeBook>\n"
    )
    return _zip_bytes(files), qdc.encode("utf-8")


README = """# Demo site: SYNTHETIC DATA

Every person, family, school, town, phone number and email address in this folder is fictional,
made up for the demo (phone numbers are from Ofcom's ranges reserved for drama). The files are
rebuilt byte for byte by the seeded generator:

    python -m parentgroup.demo --out data/raw/demo --seed {seed}

| file | content |
|---|---|
| roster.csv | 14 enrolled parents (identifiers with the hard cases a redactor meets) |
| attendance.csv | 10 weekly sessions; 12 completers (>= 6 sessions), 2 early leavers |
| questionnaire.csv | PRFQ (18 items, 1-7) and PSOC (17 items, 1-6, 1 = strongly disagree) rated "then" and "now"; calibrated so the pipeline reproduces the published effects |
| transcripts/ | 12 semi-structured interviews (completers) |
| coded_excerpts.csv | coded excerpts for the six themes (verbatim, with offsets) |
| coding.qdpx, codebook.qdc | the same coding as a REFI-QDA project and codebook |
| review_decisions.csv | the researchers' decisions on the anonymisation review list (kept by hand, not generated) |

Achieved over the 12 completers (d_z = mean change / SD of change): {achieved}.
"""


def build_demo_site(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the demo site into ``out_dir``; returns the files written."""
    out_dir = Path(out_dir)
    (out_dir / "transcripts").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []
    roster = roster_table()
    _csv(roster, out_dir / "roster.csv")
    attendance = attendance_table(rng)
    _csv(attendance, out_dir / "attendance.csv")
    completers = [f[0] for f in FAMILIES if f[15]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scored = calibrated_completers(rng, len(completers))
    leaver = early_leaver(rng)
    answers = {
        key: np.vstack([presented(scored)[key], presented(leaver)[key]]) for key in scored
    }
    table = questionnaire_table([*completers, FAMILIES[12][0]], answers)
    table["data_source"] = SOURCE_NOTE
    _csv(table, out_dir / "questionnaire.csv")
    written += [out_dir / n for n in ("roster.csv", "attendance.csv", "questionnaire.csv")]
    others = [_first(f[1]) for f in FAMILIES if f[13] == "mother"]
    texts, rows = {}, []
    for index, family in enumerate(f for f in FAMILIES if f[15]):
        own = _first(family[1])
        text, coded = transcript(family, index, rng, [o for o in others if o != own])
        texts[family[0]] = text
        for theme, code, excerpt in coded:
            start = text.replace("\n", " ").index(excerpt)
            rows.append([family[0], theme, code, text[start : start + len(excerpt)], start,
                         start + len(excerpt), SOURCE_NOTE])
        path = out_dir / "transcripts" / f"{family[0]}.txt"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    excerpts = pd.DataFrame(
        rows, columns=["record_id", "theme", "code", "excerpt", "start", "end", "data_source"]
    )
    _csv(excerpts, out_dir / "coded_excerpts.csv")
    qdpx, qdc = refi_qda_project(texts, excerpts)
    (out_dir / "coding.qdpx").write_bytes(qdpx)
    (out_dir / "codebook.qdc").write_bytes(qdc)
    summary = "; ".join(f"{i} {s} {v:+.3f}" for (i, s), v in achieved(scored).items())
    (out_dir / "README.md").write_text(README.format(seed=seed, achieved=summary),
                                       encoding="utf-8")
    written += [out_dir / n for n in ("coded_excerpts.csv", "coding.qdpx", "codebook.qdc",
                                      "README.md")]
    log.info("demo site written to %s (%s)", out_dir, summary)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Rebuild the synthetic demo site.")
    parser.add_argument("--out", type=Path, default=Path("data/raw/demo"))
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path in build_demo_site(args.out, args.seed):
        log.info("  %s", path)
