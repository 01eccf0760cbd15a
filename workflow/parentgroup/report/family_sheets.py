"""One-page progress sheets for families, written to the secure folder only.

A sheet is for one family: it greets the parent by first name, says how many sessions they
came to, puts their own "then" and "now" questionnaire answers into words with a small chart,
lists their goals (in their own words) and how far each moved, what the group covered and where
to get more help. Because it holds a real name and the parent's own goal texts it is written
only to ``<secure_dir>/<site>/sheets/<pseudonym>.html`` (file named by pseudonym, never by
name); nothing of it goes to ``data/processed/``, ``results/`` or a log. The rule's shared
output is a manifest without names (:data:`MANIFEST_COLUMNS`). The leak check scans every
shared folder and fails the run if a sheet or a fragment of one reaches it.

Each sheet is also written as a one-page A4 PDF (``<pseudonym>.pdf``, WeasyPrint, the same
engine as the report's PDF) where WeasyPrint and the system's Pango library are installed; without
them the sheets are HTML only and the log says why (the HTML prints to one A4 page too).
"""

from __future__ import annotations

import html
import logging
import math
import os
import textwrap
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from parentgroup.analysis.goals import MEANINGFUL_GOAL_CHANGE, goal_outcomes
from parentgroup.config import design_times
from parentgroup.inputs.goals import read_goals
from parentgroup.inputs.roster import read_roster
from parentgroup.inputs.site import site_paths
from parentgroup.outputs import pdf_support
from parentgroup.problems import raise_if_errors
from parentgroup.report.formats import write_pdf
from parentgroup.workers import forked_map

log = logging.getLogger(__name__)

#: Plain-language names of the shipped scales, as a parent would say them (instrument, scale);
#: any other outcome is named by its label.
PLAIN_LABELS = {
    ("prfq", "pre_mentalizing"): "Assuming the worst about why your child behaves as they do",
    ("prfq", "certainty"): "Feeling sure you know what your child is thinking",
    ("prfq", "interest_curiosity"): "Being curious about what your child feels and thinks",
    ("psoc", "total"): "Feeling good and capable as a parent",
    ("psoc", "satisfaction"): "Enjoying being a parent",
    ("psoc", "efficacy"): "Feeling able to handle the problems of being a parent",
}
MANIFEST_COLUMNS = ["pseudonym", "sheet_written", "outcomes_described", "goals_described"]
SECURE_SUBFOLDER = "sheets"

STYLE = """
body{font-family:Arial,Helvetica,sans-serif;font-size:12pt;line-height:1.45;color:#1a1a1a;
max-width:44em;margin:1.5em auto;padding:0 1em}
h1{font-size:18pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.1em 0 .3em;color:#0a4f7a}
ul{margin:.2em 0 .2em 1.2em;padding:0}.small{font-size:10pt;color:#555}
@media print{body{margin:0;font-size:9.5pt;line-height:1.3;max-width:none;padding:0}
h1{font-size:15pt}h2{font-size:11pt;margin:.7em 0 .2em}.small{font-size:8.5pt}
svg{width:72%;height:auto}ul.topics{columns:2;column-gap:2em}}
@page{size:A4;margin:12mm}
"""


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def first_name(parent_name: str) -> str:
    """The first word of the parent's name ("" when none).

    >>> first_name("  Mary-Jane Smith-Jones"), first_name("")
    ('Mary-Jane', '')
    """
    parts = str(parent_name or "").split()
    return parts[0] if parts else ""


def change_in_words(label: str, then: float, now: float, direction: str,
                    low: float, high: float) -> str:
    """One plain sentence about a then/now pair of answers on a scale from ``low`` to ``high``
    whose improvement is ``direction`` (``higher_better``, ``lower_better``; anything else,
    e.g. mid-range optimal, is described without a judgement).

    >>> change_in_words("Enjoying being a parent", 3.0, 4.5, "higher_better", 1, 6)[-37:]
    'in the direction the group hoped for.'
    >>> change_in_words("Guessing at hidden motives", 3.0, 3.0, "lower_better", 1, 7)
    'Guessing at hidden motives: your answers stayed at 3.0 (on a scale of 1 to 7).'
    """
    scale = f"(on a scale of {low:g} to {high:g})"
    if math.isclose(then, now, abs_tol=0.05):
        return f"{label}: your answers stayed at {then:.1f} {scale}."
    moved = f"{label}: your answers moved from {then:.1f} to {now:.1f} {scale}"
    better = (now > then) if direction == "higher_better" else (
        now < then if direction == "lower_better" else None)
    if better is None:
        return moved + "."
    if better:
        return moved + ", in the direction the group hoped for."
    return moved + ", not in the direction the group hoped for; worth talking over with us."


def goal_in_words(baseline: float, review: float, threshold: int) -> str:
    """How far a goal moved, in words, on the 0-10 goal scale.

    >>> goal_in_words(2, 6, 3)
    'from 2 to 6 out of 10: up 4 points, a real step forward'
    >>> goal_in_words(5, 6, 3), goal_in_words(5, float("nan"), 3)
    ('from 5 to 6 out of 10: up 1 point', 'rated 5 out of 10 at the start (not rated again)')
    """
    if pd.isna(review):
        return f"rated {baseline:g} out of 10 at the start (not rated again)"
    change = review - baseline
    text = f"from {baseline:g} to {review:g} out of 10"
    if change == 0:
        return text + ": no change yet"
    points = f"{abs(change):g} point{'s' if abs(change) != 1 else ''}"
    if change < 0:
        return text + f": down {points}"
    return text + f": up {points}" + (", a real step forward" if change >= threshold else "")


def bar_chart_svg(pairs: list[tuple[str, float, float, float, float]]) -> str:
    """A small then/now bar chart (inline SVG, no script): one row per (label, then, now,
    low, high), each bar scaled to its own scale's range."""
    if not pairs:
        return ""
    width, row_h, bar_w = 520, 38, 300
    height = row_h * len(pairs) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'role="img" aria-label="Your then and now answers">']
    parts.append('<rect x="200" y="2" width="10" height="10" fill="#bbbbbb"/>'
                 '<text x="214" y="11" font-size="11">then</text>'
                 '<rect x="260" y="2" width="10" height="10" fill="#0a6fb0"/>'
                 '<text x="274" y="11" font-size="11">now</text>')
    for i, (label, then, now, low, high) in enumerate(pairs):
        y = 20 + i * row_h
        span = (high - low) or 1.0
        # the label in up to two lines of the 195-pixel column (never cut mid-word)
        lines = textwrap.wrap(label, 32)
        if len(lines) > 2:
            lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), 32, placeholder=" ...")]
        first = y + (17 if len(lines) == 1 else 11)
        parts.append(f'<text x="0" y="{first}" font-size="10">' + "".join(
            f'<tspan x="0" dy="{0 if k == 0 else 12}">{_esc(line)}</tspan>'
            for k, line in enumerate(lines)) + "</text>")
        for j, (value, colour) in enumerate(((then, "#bbbbbb"), (now, "#0a6fb0"))):
            length = max(0.0, (value - low) / span) * bar_w
            parts.append(f'<rect x="200" y="{y + 2 + j * 14}" width="{length:.1f}" '
                         f'height="12" fill="{colour}"/>')
            parts.append(f'<text x="{204 + length:.1f}" y="{y + 12 + j * 14}" '
                         f'font-size="10">{value:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def sheet_html(*, name: str, site_title: str, sessions_attended: int, sessions: int,
               answers: list[tuple[str, float, float, str, float, float]],
               goals: list[tuple[int, str, float, float]], threshold: int,
               topics: list[str], help_lines: list[str]) -> str:
    """The HTML of one family's sheet. ``answers``: (plain label, then, now, direction, low,
    high) per outcome; ``goals``: (number, text in the parent's words, baseline, review)."""
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Your progress sheet</title><style>{STYLE}</style></head><body>"]
    greeting = f"Dear {_esc(name)}," if name else "Dear parent,"
    out.append(f"<h1>Your time in the parent group</h1><p>{greeting} thank you for taking part "
               f"in {_esc(site_title)}. This sheet is yours: it is private to your family.</p>")
    out.append(f"<p>You came to {sessions_attended} of the {sessions} sessions.</p>")
    out.append("<h2>What you told us, then and now</h2>")
    if answers:
        out.append("<ul>" + "".join(
            f"<li>{_esc(change_in_words(label, then, now, direction, low, high))}</li>"
            for label, then, now, direction, low, high in answers) + "</ul>")
        out.append(bar_chart_svg([(a[0], a[1], a[2], a[4], a[5]) for a in answers]))
    else:
        out.append("<p>We do not have both sets of your questionnaire answers.</p>")
    out.append("<h2>Your goals for your child</h2>")
    if goals:
        out.append("<ul>" + "".join(
            f"<li><strong>{_esc(text)}</strong>: {_esc(goal_in_words(b, r, threshold))}</li>"
            for _, text, b, r in goals) + "</ul>")
        out.append(f'<p class="small">A rise of {threshold} points or more on the 0 to 10 goal '
                   "scale is usually counted as real progress.</p>")
    else:
        out.append("<p>No goals were recorded for your family.</p>")
    if topics:
        out.append('<h2>What the group covered</h2><ul class="topics">'
                   + "".join(f"<li>{_esc(t)}</li>" for t in topics) + "</ul>")
    if help_lines:
        out.append("<h2>Where to get more help</h2><ul>"
                   + "".join(f"<li>{_esc(h)}</li>" for h in help_lines) + "</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def linkage_pseudonyms(secure_dir: Path) -> list[str]:
    """Every pseudonym of the site's linkage key (none when there is no key yet)."""
    path = Path(secure_dir) / "linkage_key.csv"
    if not path.is_file():
        return []
    return pd.read_csv(path, dtype=str, keep_default_na=False)["pseudonym"].tolist()


def remove_family_sheets(folder: Path, pseudonyms, keep=frozenset()) -> int:
    """Remove the sheets this stage wrote earlier from ``folder``: only ``<pseudonym>.html``
    files (and their ``.pdf``) of the site's pseudonyms (other files someone put there stay),
    except those in ``keep``. The folder goes too when it is left empty. Returns how many
    sheets were removed.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()) / "sheets"; folder.mkdir()
    >>> for name in ("P01.html", "P02.html", "notes.txt"): _ = (folder / name).write_text("x")
    >>> remove_family_sheets(folder, ["P01", "P02", "P03"], keep={"P02"})
    1
    >>> sorted(p.name for p in folder.iterdir())
    ['P02.html', 'notes.txt']
    """
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    removed = 0
    for pseudonym in sorted(set(pseudonyms) - set(keep)):
        path = folder / f"{pseudonym}.html"
        if path.is_file():
            path.unlink()
            removed += 1
        path.with_suffix(".pdf").unlink(missing_ok=True)
    if not any(folder.iterdir()):
        folder.rmdir()
    return removed


def read_family_inputs(site_cfg: dict, study: dict, site: str
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The roster and goals.csv of the site, through the validate stage's readers, stopping with
    their problems if one is fatal. Only these two files: the validate job has checked every
    file of the site already, and reading the transcripts and coding again cost this job about
    a second."""
    paths = site_paths(site_cfg)
    roster, problems = read_roster(paths["roster"], study, site_cfg.get("reference_date"))
    raise_if_errors(problems, f"input files of site {site}")
    categories = [c["id"] for c in study.get("journey", {}).get("goal_categories", [])]
    goals, problems = read_goals(paths["goals"], roster, site_cfg["sessions"], categories)
    raise_if_errors(problems, f"input files of site {site}")
    return roster, goals


def draw_sheet_pdfs(pages: list[Path], processes: int = 1) -> None:
    """Draw each sheet's HTML as its one-page PDF beside it (owner-only), with up to
    ``processes`` forked workers (the rule's ``threads``; one by default).

    A sheet's PDF takes about 0.2 s (WeasyPrint's layout, the chart, two font subsets), so a
    site of a few thousand parents spends minutes here on one core; the rule asks for one
    thread per 250 parents, up to ``--cores`` (``family_sheets_threads`` in
    workflow/rules/common.smk). The files are the same either way (:func:`forked_map`)."""
    pages = [Path(page) for page in pages]
    forked_map(_draw_sheet_pdf, pages, processes,
               chunksize=max(1, len(pages) // (4 * max(1, processes))))


def _draw_sheet_pdf(page: Path) -> None:
    write_pdf(page, page.with_suffix(".pdf"))
    os.chmod(page.with_suffix(".pdf"), 0o600)


def write_family_sheets(*, site: str, study: dict, scores: pd.DataFrame,
                        participants: pd.DataFrame, outcomes: Mapping[str, dict],
                        secure_dir: Path, manifest_path: Path,
                        processes: int = 1) -> pd.DataFrame:
    """Write one sheet per enrolled parent to ``secure_dir/sheets/`` (when config
    ``journey.family_sheets`` is true) and the name-free manifest to ``manifest_path``. Sheets
    an earlier run wrote and this one does not (the switch turned off, a parent no longer on
    the roster) are removed, and the log says how many (:func:`remove_family_sheets`).

    ``scores`` is the site's scores.csv (pseudonyms), ``participants`` its participants.csv;
    ``outcomes`` the outcome metadata (label, instrument, scale, scoring, direction, range);
    ``processes`` how many workers draw the PDFs (:func:`draw_sheet_pdfs`).
    Names and goal texts come from the raw folder, through the same readers the validate
    stage uses; the pseudonym of each parent from the site's linkage key.
    """
    journey = study.get("journey", {})
    secure_dir = Path(secure_dir)
    enabled = bool(journey.get("family_sheets", True))
    site_cfg = study["sites"][site]
    manifest_rows = []
    if enabled:
        roster, goal_texts = read_family_inputs(site_cfg, study, site)
        key = pd.read_csv(secure_dir / "linkage_key.csv", dtype=str, keep_default_na=False)
        pseudonym_of = dict(zip(key["record_id"], key["pseudonym"], strict=True))
        threshold = int(journey.get("meaningful_goal_change", MEANINGFUL_GOAL_CHANGE))
        roles = design_times(site_cfg["design"])
        pre = next(t for t, r in roles.items() if r == "pre")
        post = next(t for t, r in roles.items() if r == "post")
        attended = dict(zip(participants["pseudonym"].astype(str),
                            participants["sessions_attended"], strict=True))
        goals = goal_texts.assign(pseudonym=goal_texts["record_id"].map(pseudonym_of),
                                    goal_category="")
        moved = goal_outcomes(goals, threshold) if not goals.empty else pd.DataFrame(
            columns=["pseudonym", "goal", "baseline", "review"])
        pdf_ok, pdf_missing = pdf_support()
        if not pdf_ok:
            log.info("family sheets as HTML only: %s", pdf_missing)
        folder = secure_dir / SECURE_SUBFOLDER
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        scores = scores.assign(pseudonym=scores["pseudonym"].astype(str))
        pages = []
        for row in roster.itertuples():
            pseudonym = pseudonym_of[row.record_id]
            answers = []
            for meta in outcomes.values():
                mine = scores[(scores["pseudonym"] == pseudonym)
                              & (scores["instrument"] == meta["instrument"])
                              & (scores["scale"] == meta["scale"])
                              & (scores["scoring"] == meta.get("scoring", "mean"))]
                values = dict(zip(mine["time"], mine["score"], strict=False))
                if pd.notna(values.get(pre)) and pd.notna(values.get(post)):
                    low, high = meta["range_min"], meta["range_max"]
                    label = PLAIN_LABELS.get((meta["instrument"], meta["scale"]), meta["label"])
                    answers.append((label, float(values[pre]), float(values[post]),
                                    meta.get("direction", ""), float(low), float(high)))
            texts = goals[goals["record_id"] == row.record_id]
            text_of = {g: next((t for t in grp["goal_text"] if t), "")
                       for g, grp in texts.groupby("goal")}
            own = moved[moved["pseudonym"] == pseudonym]
            goal_rows = [(int(g.goal), text_of.get(g.goal, ""), g.baseline, g.review)
                         for g in own.itertuples()]
            page = sheet_html(
                name=first_name(getattr(row, "parent_name", "")),
                site_title=study.get("study", {}).get("short_title", "the parent group"),
                sessions_attended=int(attended.get(pseudonym, 0)),
                sessions=int(site_cfg["sessions"]), answers=answers, goals=goal_rows,
                threshold=threshold, topics=list(journey.get("session_topics", [])),
                help_lines=list(journey.get("further_help", [])))
            path = folder / f"{pseudonym}.html"
            path.write_text(page, encoding="utf-8", newline="\n")
            os.chmod(path, 0o600)
            pages.append(path)
            manifest_rows.append([pseudonym, True, len(answers), len(goal_rows)])
        if pdf_ok:  # the same sheets to print or send: one A4 page each
            draw_sheet_pdfs(pages, processes)
        removed = remove_family_sheets(folder, pseudonym_of.values(),
                                       keep={row[0] for row in manifest_rows})
        log.info("%d family sheets written to the secure folder%s", len(manifest_rows),
                 f"; {removed} earlier sheets of parents no longer on the roster removed"
                 if removed else "")
    else:
        removed = remove_family_sheets(secure_dir / SECURE_SUBFOLDER,
                                       linkage_pseudonyms(secure_dir))
        log.info("family sheets are switched off (config journey.family_sheets); %d sheets "
                 "an earlier run wrote removed from the secure folder", removed)
    manifest = pd.DataFrame(manifest_rows, columns=MANIFEST_COLUMNS).sort_values(
        "pseudonym", kind="stable")
    Path(manifest_path).parent.mkdir(parents=True, exist_ok=True)
    manifest.to_csv(manifest_path, index=False, lineterminator="\n")
    return manifest
