"""The report's sections on a controlled design (intervention against comparison arm) and on the
agreement between informants.

Self-contained: :func:`controlled_section_html` reads the site's ``controlled.csv``,
``paired_tests_by_arm.csv``, ``reliable_change_by_arm.csv``, ``attendance_by_arm.csv`` and
``arms/figures.csv`` (docs/data-contracts.md) and returns the section's HTML, or ``""`` for a
single-group site (no ``controlled.csv``), so the notebook can call it unconditionally. Numbers
come from the tables; rounding and the formats are the report's own
(:mod:`parentgroup.report.sections`).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from parentgroup.disclosure import small_count
from parentgroup.report.sections import (
    figure_html,
    format_ci,
    format_count,
    format_number,
    format_p,
    missing_note,
)
from parentgroup.report.templating import render

ARM_NAMES = {"intervention": "Intervention", "comparison": "Comparison"}

METHODS = (
    "Each outcome's post score was compared between the arms by ANCOVA adjusted for the pre "
    "score (ordinary least squares with HC3 heteroscedasticity-consistent standard errors): the "
    "adjusted difference is intervention minus comparison at equal pre scores. d<sub>ppc2</sub> "
    "(Morris 2008) is the difference between the arms' mean changes over the pooled pre-test SD, "
    "corrected for small samples, with its large-sample interval. The arm-by-time interaction "
    "comes from a linear mixed model with a random intercept per parent (REML), which also uses "
    "parents with one score. Intervention parents are the completers, as in the main analysis; "
    "comparison parents are everyone with scores. The estimates were checked against R "
    "(<code>lm</code> with <code>sandwich::vcovHC</code> HC3, <code>lme4::lmer</code>, "
    "<code>nlme::lme</code>)."
)


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file() or path.stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path)


def controlled_table_html(controlled: pd.DataFrame, confidence_level: float = 0.95,
                          min_cell_size: int = 3) -> str:
    """One row per outcome: n per arm, mean change per arm, ANCOVA, d_ppc2, mixed model."""
    level = f"{confidence_level:.0%}"
    header = ["Outcome", "n (intervention / comparison)", "Mean change, intervention",
              "Mean change, comparison", f"ANCOVA adjusted difference [{level} CI]", "p",
              f"d<sub>ppc2</sub> [{level} CI]", f"Arm &times; time (mixed model) [{level} CI]",
              "p"]
    rows = []
    for r in controlled.to_dict("records"):
        rows.append([
            html.escape(str(r["label"])),
            f"{format_count(r['n_intervention'], 0)} / "
            f"{format_count(r['n_comparison'], 0)}",
            format_number(r["mean_change_intervention"]),
            format_number(r["mean_change_comparison"]),
            f"{format_number(r['ancova_difference'])} "
            f"{format_ci(r['ancova_ci_low'], r['ancova_ci_high'])}",
            format_p(r["ancova_p"]),
            f"{format_number(r['d_ppc2'])} {format_ci(r['d_ppc2_ci_low'], r['d_ppc2_ci_high'])}",
            f"{format_number(r['mixed_interaction'])} "
            f"{format_ci(r['mixed_ci_low'], r['mixed_ci_high'])}",
            format_p(r["mixed_p"]),
        ])
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return ('<table class="report-table"><caption>Intervention against comparison arm '
            f"(change = post &minus; pre)</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def by_arm_table_html(by_arm: pd.DataFrame, min_cell_size: int = 3) -> str:
    """The paired (within-arm) change of every outcome in each arm."""
    header = ["Outcome", "Arm", "n", "Mean change [CI]", "d<sub>z</sub> [CI]", "p"]
    rows = [[html.escape(str(r["label"])), ARM_NAMES.get(r["arm"], html.escape(str(r["arm"]))),
             format_count(r["n_pairs"], 0),
             f"{format_number(r['mean_change'])} "
             f"{format_ci(r['change_ci_low'], r['change_ci_high'])}",
             f"{format_number(r['d_z'])} {format_ci(r['d_z_ci_low'], r['d_z_ci_high'])}",
             format_p(r["p"])]
            for r in by_arm.to_dict("records")]
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return ('<table class="report-table"><caption>Change within each arm (paired tests)'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _shown(count, min_cell_size: int) -> bool:
    """Whether a count is shown as itself under the one disclosure rule."""
    if isinstance(count, str):  # "<3" or "[c]" from the table, or a number read as text
        try:
            count = int(count)
        except ValueError:
            return False
    return not pd.isna(count) and isinstance(small_count(int(count), min_cell_size), int)


def _percent(count, total, min_cell_size: int) -> str:
    if pd.isna(count) or pd.isna(total) or int(total) == 0 or not _shown(count, min_cell_size):
        return format_number(float("nan"))
    return f"{100 * int(count) / int(total):.0f}%"


def reliable_change_by_arm_table_html(table: pd.DataFrame, confidence_level: float = 0.95,
                                      min_cell_size: int = 3) -> str:
    """Parents per reliable-change category in each arm (n of N, %) and the difference in
    proportions with its interval, from ``reliable_change_by_arm.csv``.

    Counts follow the one disclosure rule (:func:`parentgroup.disclosure.small_count`); a
    percentage, and a difference, that rests on a count shown as ``<3`` is left out ("–"), since
    with the arm's N it would give the count back.

    >>> t = pd.DataFrame({"label": ["A"], "category": ["improved"], "n_intervention": [7],
    ...     "n_outcome_intervention": [11], "n_comparison": [1], "n_outcome_comparison": [12],
    ...     "difference": [0.55], "difference_ci_low": [0.2], "difference_ci_high": [0.8]})
    >>> html_ = reliable_change_by_arm_table_html(t)
    >>> "7 of 11 (64%)" in html_, "&lt;3 of 12 (–)" in html_, "0.55" in html_
    (True, True, False)
    """
    level = f"{confidence_level:.0%}"
    header = ["Outcome", "Category", "Intervention", "Comparison",
              f"Difference in proportions [{level} CI]"]
    rows, previous = [], None
    for r in table.to_dict("records"):
        label = html.escape(str(r["label"]))
        cells = [label if label != previous else "", html.escape(str(r["category"]))]
        previous = label
        for arm in ("intervention", "comparison"):
            count, total = r[f"n_{arm}"], r[f"n_outcome_{arm}"]
            cells.append(f"{format_count(count, min_cell_size)} of {format_count(total, 0)} "
                         f"({_percent(count, total, min_cell_size)})")
        both = (_shown(r["n_intervention"], min_cell_size)
                and _shown(r["n_comparison"], min_cell_size))
        cells.append(f"{format_number(r['difference'], bounded=True)} "
                     f"{format_ci(r['difference_ci_low'], r['difference_ci_high'], bounded=True)}"
                     if both and not pd.isna(r["difference"]) else format_number(float("nan")))
        rows.append(cells)
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return ('<table class="report-table"><caption>Reliable change (|RCI| &gt; 1.96) in each arm, '
            "parents per category, and the difference in proportions (intervention minus "
            f"comparison)</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def secondary_html(reliable: pd.DataFrame, attendance: pd.DataFrame,
                   confidence_level: float = 0.95, min_cell_size: int = 3) -> str:
    """Reliable change and attendance in each arm (templates/controlled_secondary.html.j2)."""
    arms = []
    for r in attendance.to_dict("records"):
        applies = str(r["applies"]).strip().lower() in {"true", "1"}
        entry = {"name": ARM_NAMES.get(r["arm"], str(r["arm"])), "applies": applies,
                 "n_parents": format_count(r["n_parents"], 0)}
        if applies:
            note = "" if pd.isna(r["note"]) else str(r["note"])
            entry.update(mean=format_number(r["sessions_mean"], 1),
                         sd=format_number(r["sessions_sd"], 1),
                         median=format_number(r["sessions_median"], 1),
                         range=f"{format_number(r['sessions_min'], 0)}&ndash;"
                               f"{format_number(r['sessions_max'], 0)}",
                         offered=note, completers=format_count(r["n_completers"], 0))
            entry["range"] = Markup(entry["range"])
        arms.append(entry)
    counts = pd.concat([reliable["n_intervention"], reliable["n_comparison"]])
    withheld = any(not _shown(n, min_cell_size) for n in counts)
    return render("controlled_secondary.html.j2", level=f"{confidence_level:.0%}",
                  min_cell_size=min_cell_size, withheld=withheld, arms=arms,
                  table=Markup(reliable_change_by_arm_table_html(
                      reliable, confidence_level, min_cell_size)))


def controlled_section_html(results_dir: Path | str, confidence_level: float = 0.95,
                            min_cell_size: int = 3) -> str:
    """The controlled-comparison section of a site's report ("" for a single-group site)."""
    results_dir = Path(results_dir)
    controlled = _read(results_dir / "controlled.csv")
    if controlled.empty:
        return ""
    by_arm = _read(results_dir / "paired_tests_by_arm.csv")
    figures = _read(results_dir / "arms" / "figures.csv")
    reliable = _read(results_dir / "reliable_change_by_arm.csv")
    attendance = _read(results_dir / "attendance_by_arm.csv")
    parts = [
        "<h2>Controlled comparison</h2>",
        "<p>This site has a comparison arm. The quantitative results above describe the "
        "intervention arm; this section compares the arms.</p>",
        controlled_table_html(controlled, confidence_level, min_cell_size),
        by_arm_table_html(by_arm, min_cell_size) if not by_arm.empty
        else missing_note("the paired tests within each arm"),
        figure_html(figures, "arms", results_dir / "arms") if not figures.empty
        else missing_note("the figure of both arms"),
        secondary_html(reliable, attendance, confidence_level, min_cell_size)
        if not (reliable.empty or attendance.empty)
        else missing_note("reliable change and attendance in each arm"),
        f"<p><em>Methods.</em> {METHODS}</p>",
    ]
    return "\n".join(parts)


def _rater(row: dict, side: str, labels: dict) -> str:
    """An outcome's label with its informant, e.g. ``SDQ Total difficulties (teacher)``."""
    outcome = row[f"outcome_{side}"]
    who = row.get(f"informant_{side}")
    text = str(labels.get(outcome, outcome))
    return f"{text} ({who})" if isinstance(who, str) and who and who not in text else text


def informant_section_html(results_dir: Path | str, labels: dict | None = None) -> str:
    """The informant-agreement section ("" when the site names no informants): per construct
    and pair of informants, the correlation of the children's change with its CI."""
    table = _read(Path(results_dir) / "informant_agreement.csv")
    if table.empty:
        return ""
    labels = labels or {}
    header = ["Construct", "Informants", "Children", "Mean change of each",
              "r of change [95% CI]", "p", "r of pre scores"]
    rows = [[html.escape(str(r["construct"]).replace("_", " ")),
             f"{html.escape(_rater(r, 'a', labels))} / {html.escape(_rater(r, 'b', labels))}",
             format_count(r["n_children"], 0),
             f"{format_number(r.get('mean_change_a'))} / "
             f"{format_number(r.get('mean_change_b'))}",
             f"{format_number(r['r_change'], bounded=True)} "
             f"{format_ci(r['r_change_ci_low'], r['r_change_ci_high'], bounded=True)}",
             format_p(r["r_change_p"]), format_number(r["r_pre"], bounded=True)]
            for r in table.to_dict("records")]
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return ("<h3>Agreement between informants</h3><p>Each informant's change is in the tables "
            "above; here, each informant's mean change over the children both rated, and how "
            "far the two agree on which children changed (Pearson "
            "correlation of the change scores, Fisher z interval).</p>"
            '<table class="report-table"><caption>Agreement between informants</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
