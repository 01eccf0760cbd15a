"""Report text: the contract tables turned into the prose and HTML of the mixed-methods report.

Numbers are rounded here for display (the tables keep full precision) by the package's one
formatter, :mod:`parentgroup.formatting` (APA: ``.053``, ``< .001``, ``> .999``), with the
statistical symbols set in italics (``<em>p</em>``, ``<em>d</em><sub>z</sub>``). Counts of people
below ``min_cell_size`` are shown as ``"<3"`` so that no small group can be singled out. Fixed
prose lives in Jinja2 templates (``templates/``, :mod:`parentgroup.report.templating`); the
reader's structure (key findings, numbering, interpretation) in :mod:`parentgroup.report.summary`.

Every function returns a string of HTML (escaped; no scripts), so the integration notebook only
reads the tables and displays what these functions return. The section order follows GRAMMS
(O'Cathain, Murphy & Nicholl 2008), themes are reported after Braun & Clarke (2006, 2022) with
their central organising concept and participant counts given as context, never as a ranking,
and the joint displays follow Guetterman, Fetters & Creswell (2015).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from parentgroup import formatting
from parentgroup.analysis.reliable_change import (
    CATEGORIES_BY_DIRECTION,
    NOT_COMPUTED,
    reliable_change_summary,
)
from parentgroup.disclosure import WITHHELD, flow_count, shown_categories, small_count
from parentgroup.formatting import MISSING
from parentgroup.outputs import MANY_PARENTS
from parentgroup.report.summary import EFFECT_SIZE_HTML, P_ADJUST_NAMES, low_alpha_scales
from parentgroup.report.templating import phrase, render
from parentgroup.tables import as_bool

#: The tables of results/<site>/ the report reads (docs/data-contracts.md §2-5).
RESULT_TABLES = {
    "participant_flow": "participant_flow.csv",
    "paired_tests": "paired_tests.csv",
    "reliability": "reliability.csv",
    "reliable_change": "reliable_change.csv",
    "power": "power.csv",
    "engagement": "engagement.csv",
    "dose_response": "dose_response.csv",
    "sensitivity": "sensitivity.csv",
    "response_shift": "response_shift.csv",
    "themes": "themes.csv",
    "quotes": "quotes.csv",
    "joint_display_outcomes": "joint_display_outcomes.csv",
    "joint_display_cases": "joint_display_cases.csv",
    "joint_display_links": "joint_display_links.csv",
    "discordant_cases": "discordant_cases.csv",
    "invitation_flow": "invitation_flow.csv",
    "retention": "retention.csv",
    "goal_summary": "goal_summary.csv",
    "decline_barriers": "decline_barriers.csv",
    "figures": "figures/figures.csv",
}
#: The tables of data/processed/<site>/ the report reads (§1).
PROCESSED_TABLES = {"participants": "participants.csv", "attendance": "attendance.csv",
                    # every respondent: the proration counts cover the early leavers too
                    "scores": "scores.csv"}

SYNTHETIC_BANNER = (
    "SYNTHETIC DEMO DATA: fictional people; the numbers illustrate the pipeline"
)
FIT_LABELS = ("confirmation", "expansion", "discordance")
EFFECT_SIZE_NAMES = EFFECT_SIZE_HTML


# --------------------------------------------------------------------------- numbers


_is_missing = formatting.is_missing


def format_number(value: Any, digits: int = 2, *, bounded: bool = False) -> str:
    """:func:`parentgroup.formatting.format_number`, typeset (the minus sign U+2212,
    :func:`parentgroup.formatting.typeset`) and escaped for HTML; ``bounded=True`` for a
    statistic that cannot exceed 1 (no leading zero: ``.89``).

    ``format_number(1.23456) == "1.23"``, ``format_number(-0.5) == "\u22120.50"``; missing ->
    "–"; text (``"<3"``) comes back escaped.
    """
    return html.escape(formatting.typeset(formatting.format_number(value, digits,
                                                                   bounded=bounded)))


def format_p(p: Any, *, prefix: bool = False) -> str:
    """A p value in APA style (:func:`parentgroup.formatting.format_p`), escaped for HTML.

    ``format_p(0.0534) == ".053"``, ``format_p(0.00033) == '<span class="nobr">&lt; .001</span>'``
    (kept on one line); with ``prefix=True``
    the italic symbol leads, joined by no-break spaces: ``"<em>p</em>\u00a0=\u00a0.053"``.
    Missing values give "–".
    """
    if not prefix:
        text = html.escape(formatting.format_p(p))
        # "< .001" never breaks between its sign and its digits in a narrow column
        return f'<span class="nobr">{text}</span>' if " " in text else text
    parts = formatting.p_parts(p)
    nbsp = formatting.NBSP  # "p = .053" is never broken across lines
    if parts is None:
        return f"<em>p</em>{nbsp}={nbsp}{MISSING}"
    return f"<em>p</em>{nbsp}{html.escape(parts[0])}{nbsp}{parts[1]}"


def format_ci(low: Any, high: Any, digits: int = 2, *, bounded: bool = False) -> str:
    """A confidence interval in APA brackets, typeset and escaped as :func:`format_number`:
    ``format_ci(-0.014, 1.6) == "[\u22120.01, 1.60]"``."""
    return html.escape(formatting.typeset(formatting.format_ci(low, high, digits,
                                                               bounded=bounded)))


#: A number written without its leading zero (``.053``, ``−.52``), as APA writes p values and
#: statistics that cannot exceed 1; not inside a word or another number.
_LEADING_DOT_NUMBER = re.compile(r"(?<![\w.\u2212-])([\u2212-]?\.\d+)")
_TAG = re.compile(r"(<(?:style|script)\b.*?</(?:style|script)>|<[^>]*>)", flags=re.S | re.I)


def keep_numbers_whole(page: str) -> str:
    """The HTML with every number written without a leading zero kept on one line.

    Line breaking (Unicode UAX #14, as Pango applies it for the PDF) may break between the
    point and the digits of ``.053`` when no digit precedes the point, so "p = .053" could end
    a line with "p = ." even with no-break spaces around the "=". Each such number, in text
    only (never inside a tag, an attribute, a style sheet or a script), is wrapped in
    ``<span class="nobr">`` (``white-space: nowrap``).

    >>> keep_numbers_whole('<td title="p = .05">p = .053, 0.53 [-.52, .75]</td>') == (
    ...     '<td title="p = .05">p = <span class="nobr">.053</span>, 0.53 '
    ...     '[<span class="nobr">-.52</span>, <span class="nobr">.75</span>]</td>')
    True
    >>> keep_numbers_whole("<style>p { margin: .5em }</style>.5")
    '<style>p { margin: .5em }</style><span class="nobr">.5</span>'
    """
    parts = _TAG.split(page)
    for i in range(0, len(parts), 2):  # the text between the tags
        parts[i] = _LEADING_DOT_NUMBER.sub(r'<span class="nobr">\1</span>', parts[i])
    return "".join(parts)


def format_mean_sd(mean: Any, sd: Any, digits: int = 2) -> str:
    """``format_mean_sd(3.1, 0.8) == "3.10 (0.80)"``."""
    return f"{format_number(mean, digits)} ({format_number(sd, digits)})"


def format_count(n: Any, min_cell_size: int = 3) -> str:
    """A count of people under the one disclosure rule (:func:`parentgroup.disclosure.small_count`).

    ``format_count(2) == "&lt;3"``, ``format_count(0) == "0"``, ``format_count(7) == "7"``; text
    already suppressed upstream (``"<3"``) passes through (escaped).
    """
    if _is_missing(n):
        return MISSING
    try:
        count = float(n)
    except (TypeError, ValueError):
        return html.escape(str(n))
    if not count.is_integer():
        return format_number(count)
    return html.escape(str(small_count(int(count), min_cell_size)))


def _esc(value: Any) -> str:
    return "" if _is_missing(value) else html.escape(str(value))


def _typeset(value: Any) -> str:
    """Text with numbers in it (a caption, a note), typeset and escaped."""
    return "" if _is_missing(value) else html.escape(formatting.typeset(str(value)))


def _split_list(value: Any) -> list[str]:
    """Split a list cell written as ``a;b`` or ``a | b`` (empty -> [])."""
    if _is_missing(value):
        return []
    text = str(value)
    separator = ";" if ";" in text else ("|" if "|" in text else None)
    parts = text.split(separator) if separator else [text]
    return [part.strip() for part in parts if part.strip()]


def _table(header: list[str], rows: Iterable[list[str]], caption: str = "",
           css: str = "report-table") -> str:
    """An HTML table from already-escaped cell strings."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{caption}</caption>" if caption else ""
    return (f'<div class="table-scroll"><table class="{css}">{cap}<thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


def missing_note(what: str) -> str:
    """A visible note that a part of the report could not be produced, and why."""
    return f'<p class="missing"><em>Not available for this site: {html.escape(what)}.</em></p>'


# --------------------------------------------------------------------------- reading


@dataclass
class ReportTables:
    """The contract tables of one site; an absent or empty table is an empty DataFrame."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables.get(name, pd.DataFrame())

    def has(self, name: str) -> bool:
        return name in self.tables and not self.tables[name].empty


def read_report_tables(results_dir: Path | str, processed_dir: Path | str) -> ReportTables:
    """Read every contract table the report uses; missing files are listed in ``absent``.

    Pseudonyms and text columns are read as strings; empty cells stay empty strings in text
    columns (``keep_default_na`` off for them) so that "None" or "NA" in a quote is never lost.
    """
    found = ReportTables()
    sources = [(Path(results_dir), RESULT_TABLES), (Path(processed_dir), PROCESSED_TABLES)]
    for folder, names in sources:
        for name, relative in names.items():
            path = folder / relative
            if not path.is_file():
                found.absent.append(name)
                continue
            frame = pd.read_csv(path, dtype={"pseudonym": str}, keep_default_na=True)
            text_columns = [c for c in frame.columns if frame[c].dtype == object]
            frame[text_columns] = frame[text_columns].fillna("")
            found.tables[name] = frame
    _one_label_style(found)
    return found


def _one_label_style(found: ReportTables) -> None:
    """Every table's scale names in one style (:func:`parentgroup.formatting.scale_label`:
    "PRFQ pre-mentalizing", as the figures write them), keyed by outcome from paired_tests."""
    paired = found["paired_tests"]
    if paired.empty or not {"outcome", "label", "instrument"} <= set(paired.columns):
        return
    names = {r["outcome"]: formatting.scale_label(r["instrument"], r["label"])
             for r in paired.to_dict("records")}
    if "apa" in paired.columns:  # the analysis stage's sentences start with the label
        paired["apa"] = [str(a).replace(str(lab), names[o], 1) for a, lab, o in zip(
            paired["apa"], paired["label"], paired["outcome"], strict=True)]
    for frame in found.tables.values():
        if {"outcome", "label"} <= set(frame.columns):
            frame["label"] = [names.get(o, lab) for o, lab in zip(frame["outcome"],
                                                                 frame["label"], strict=True)]


# --------------------------------------------------------------------------- front matter


def banner_html(synthetic: bool) -> str:
    """The prominent synthetic-data banner, repeated on every printed page (empty for real
    data)."""
    if not synthetic:
        return ""
    return render("front.html.j2", synthetic=True, banner=SYNTHETIC_BANNER, title="",
                  site="", reference="").split("<h1>")[0].strip()


def title_html(config: Mapping[str, Any], site: str, synthetic: bool = False) -> str:
    """The synthetic-data notice (when synthetic), the report title, the site and the study it
    reproduces."""
    study = config.get("study", {})
    title = study.get("title") or config.get("report", {}).get("title", "Mixed-methods report")
    return render("front.html.j2", synthetic=bool(synthetic), banner=SYNTHETIC_BANNER,
                  title=title, site=site, reference=study.get("reference") or "")


def design_html(config: Mapping[str, Any], site: str) -> str:
    """What was studied, the design and its rationale (then-test; completer definition)."""
    study = config.get("study", {})
    site_cfg = config.get("sites", {}).get(site, {})
    threshold = config.get("completer_min_sessions")
    return render(
        "design.html.j2",
        intervention=study.get("intervention") or "The intervention is not described in the "
        "config.",
        design=site_cfg.get("design", "retrospective"), sessions=site_cfg.get("sessions"),
        completer_min=None if threshold is None else int(threshold),
        instruments=", ".join(i.upper() for i in config.get("instruments", [])),
    )


# --------------------------------------------------------------------------- sample


#: The participant-flow step whose n is "analysed" (docs/data-contracts.md, participant_flow).
ANALYSED_STEP = "questionnaires_complete"


def flow_table_html(flow: pd.DataFrame, min_cell_size: int = 3,
                    paired: pd.DataFrame | None = None) -> str:
    """The participant-flow table (step, n, detail); its counts are flow counts, exact
    (:mod:`parentgroup.disclosure`).

    When an outcome's test has a different n from the flow's "analysed" count (a parent with
    one outcome missing is analysed on the others), a row per such outcome follows the analysed
    row, so every n in the report can be traced to the flow."""
    if flow.empty:
        return missing_note("participant flow table")
    rows = []
    for r in flow.itertuples(index=False):
        if str(r.step).startswith("analysed_for_") and paired is not None and not paired.empty:
            continue  # the flow's own per-outcome n: shown below with the outcome's label
        rows.append([_esc(str(r.step).replace("_", " ")), _flow_n(r.n), _esc(r.detail)])
        if r.step == ANALYSED_STEP and paired is not None and not paired.empty:
            for o in paired.itertuples(index=False):
                if _is_missing(o.n_pairs) or _is_missing(r.n) or str(r.n) == "" or \
                        _same_count(o.n_pairs, r.n):
                    continue
                rows.append([f"&nbsp;&nbsp;analysed for {_esc(o.label)}",
                             _flow_n(o.n_pairs),
                             "paired ratings on this outcome (a parent missing one outcome "
                             "is analysed on the others)"])
    return _table(["Step", "<em>n</em>", "Detail"], rows, "Participant flow")


def _flow_n(n: Any) -> str:
    """A flow count as shown: exact (:func:`parentgroup.disclosure.flow_count`); text passes
    through escaped, missing gives "–"."""
    if _is_missing(n) or str(n) == "":
        return MISSING
    try:
        return str(flow_count(n))
    except (TypeError, ValueError):
        return html.escape(str(n))


def _shown_count(value: Any, withheld: str = "withheld") -> str:
    """A count already through the disclosure rule: ``withheld`` (the word) for one withheld
    ("[c]"), otherwise as :func:`format_count` shows it ("<3" passes through escaped)."""
    return withheld if str(value) == WITHHELD else format_count(value, 0)


def _same_count(a: Any, b: Any) -> bool:
    try:
        return int(float(a)) == int(float(b))
    except (TypeError, ValueError):
        return str(a) == str(b)


def sample_description_html(participants: pd.DataFrame, min_cell_size: int = 3) -> str:
    """One-way frequencies of the (already generalised) characteristics, never cross-tabulated.

    A category with fewer than ``min_cell_size`` parents is shown as "<3"; suppressed values
    (``*``) are grouped as "withheld".
    """
    if participants.empty:
        return missing_note("participant characteristics (participants.csv)")
    variables = [
        ("relationship", "Relationship to the child"),
        ("child_age_band", "Child age band (years)"),
        ("child_gender", "Child gender"),
        ("diagnosis_category", "Child's needs (category)"),
    ]
    rows = []
    for column, label in variables:
        if column not in participants.columns:
            continue
        values = participants[column].astype(str).replace({"*": "withheld", "": "not recorded"})
        counts = values.value_counts()
        # the categories partition the enrolled, shown exactly: the differencing rule too
        shown = shown_categories(len(participants), {value: int(counts[value])
                                                     for value in sorted(counts.index)},
                                 min_cell_size=min_cell_size)
        # "not shown": a category here may itself be called "withheld" (generalised away)
        parts = [f"{_esc(value)}: {_shown_count(n, 'not shown')}" for value, n in shown.items()]
        rows.append([label, "; ".join(parts)])
    total = f"{len(participants)} parents enrolled (one-way counts; categories are not crossed)"
    return _table(["Characteristic", "Parents"], rows, html.escape(total))


def attendance_summary_html(participants: pd.DataFrame, attendance: pd.DataFrame,
                            engagement: pd.DataFrame, *, sessions: int | None,
                            completer_min_sessions: int | None, min_cell_size: int = 3,
                            labels: Mapping[str, str] | None = None) -> str:
    """Attendance as summaries (median, quartiles, per-session counts), plus engagement.csv."""
    parts = []
    if not attendance.empty:
        attended = attendance[attendance["attended"].astype(int) == 1]
        per_parent = attended.groupby("pseudonym")["session"].nunique().reindex(
            sorted(attendance["pseudonym"].unique()), fill_value=0)
        q1, median, q3 = per_parent.quantile([0.25, 0.5, 0.75]).tolist()
        offered = sessions or int(attendance["session"].max())
        parts.append(render("attendance.html.j2", median=format_number(median, 1),
                            offered=offered, q1=format_number(q1, 1), q3=format_number(q3, 1),
                            completers=None))
        per_session = attended.groupby("session")["pseudonym"].nunique().reindex(
            range(1, offered + 1), fill_value=0)
        rows = [[str(s), format_count(n, min_cell_size)] for s, n in per_session.items()]
        parts.append(_table(["Session", "Parents present"], rows, "Attendance per session"))
    else:
        parts.append(missing_note("attendance records (no attendance.csv for this site)"))
    if not participants.empty and "completer" in participants.columns and completer_min_sessions:
        completers = as_bool(participants["completer"]).sum()
        parts.append(render("attendance.html.j2", median=None,
                            completers=Markup(_flow_n(completers)),
                            enrolled=len(participants), threshold=int(completer_min_sessions)))
    parts.append(engagement_table_html(engagement, labels))
    return "".join(parts)


#: engagement.csv groups as column headings.
ENGAGEMENT_GROUPS = {"enrolled": "All enrolled", "completers": "Completers",
                     "early_leavers": "Left early"}


def engagement_table_html(engagement: pd.DataFrame, labels: Mapping[str, str] | None = None
                          ) -> str:
    """engagement.csv as a reader's table: one row per measure in words, one column per group
    (all enrolled, completers, left early); withheld means appear as "withheld" with the reason
    in a note. Per-session counts are in the attendance table, so they are not repeated; the
    reasons for leaving follow as their own rows."""
    if engagement.empty:
        return ""
    labels = labels or {}
    measures = engagement["measure"].astype(str)
    present = list(dict.fromkeys(engagement.loc[
        (measures != "attending_session") & ~measures.str.startswith("reason_left"),
        "group"].astype(str)))
    groups = [g for g in ENGAGEMENT_GROUPS if g in present] + \
        [g for g in present if g not in ENGAGEMENT_GROUPS]
    rows, notes = [], []
    measure_words = {"participants": "Parents",
                     "sessions_attended_median": "Sessions attended (median)"}
    order: list[str] = []
    for measure in engagement["measure"]:
        if measure not in order and measure != "attending_session" \
                and not str(measure).startswith("reason_left"):
            order.append(measure)
    for measure in order:
        subset = engagement[engagement["measure"] == measure]
        if measure.startswith("baseline_mean:"):
            outcome = measure.split(":", 1)[1]
            words = f"Mean before the group (then): {_esc(labels.get(outcome, outcome))}"
        else:
            words = measure_words.get(measure, _esc(measure.replace("_", " ").capitalize()))
        cells = []
        for group in groups:
            found = subset[subset["group"] == group]
            if found.empty:
                cells.append("")
                continue
            value, detail = found.iloc[0]["value"], str(found.iloc[0]["detail"])
            if _is_missing(value) or str(value) in ("", WITHHELD):
                cells.append("withheld")
                if "withheld" in detail and detail.split(": ", 1)[-1] not in notes:
                    notes.append(detail.split(": ", 1)[-1])
            else:
                cells.append(format_number(value, 1) if _numeric_non_count(value)
                             else _esc(value))
        rows.append([words, *cells])
    reasons = engagement[engagement["measure"].astype(str).str.startswith("reason_left")]
    for r in reasons.itertuples(index=False):
        target = "early_leavers" if "early_leavers" in groups else groups[-1]
        withheld = str(r.value) == WITHHELD
        rows.append(["Reasons for leaving" if withheld and r.group == "withheld"
                     else f"Reason for leaving: {_esc(r.group)}",
                     *[("withheld" if withheld else _esc(r.value)) if g == target else ""
                       for g in groups]])
    heads = [ENGAGEMENT_GROUPS.get(g, _esc(g.replace("_", " ").capitalize())) for g in groups]
    table = _table(["Measure", *heads], rows,
                   "Engagement of completers and of parents who left early")
    if notes:
        table += ('<p class="table-note"><em>Note.</em> Withheld: '
                  + "; ".join(_esc(n) for n in notes) + ".</p>")
    return table


def _numeric_non_count(value: Any) -> bool:
    try:
        return not float(value).is_integer()
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- quantitative


#: The standardised changes every paired-comparisons table shows, after the lead one: d_z and
#: d_av, each labelled, so a reader can compare with a between-subjects d (Lakens 2013; the
#: reference's section 5.4: "label each one explicitly").
SHOWN_EFFECT_SIZES = ("d_z", "d_av")


def shown_effect_sizes(paired: pd.DataFrame) -> list[str]:
    """The effect sizes of the paired-comparisons tables: the lead one first, then d_z and d_av
    where they are not the lead (``["d_z", "d_av"]`` for the default lead d_z)."""
    lead = str(paired["lead_effect_size"].iloc[0]) if "lead_effect_size" in paired and \
        not paired.empty else "d_z"
    return [lead] + [e for e in SHOWN_EFFECT_SIZES if e != lead and e in paired.columns]


def _effect_cell(r: Mapping[str, Any], name: str, lead: str) -> str:
    """An effect size with its interval (``−1.34 [−2.12, −0.54]``); the lead one from the
    ``lead_es`` columns, the others from their own (no interval where the table has none)."""
    if name == lead:
        return (f"{format_number(r['lead_es'])} "
                f"{format_ci(r['lead_es_ci_low'], r['lead_es_ci_high'])}")
    low, high = r.get(f"{name}_ci_low"), r.get(f"{name}_ci_high")
    interval = "" if _is_missing(low) and _is_missing(high) else f" {format_ci(low, high)}"
    return f"{format_number(r.get(name))}{interval}"


def outcome_table_html(paired: pd.DataFrame, confidence_level: float = 0.95,
                       reliability: pd.DataFrame | None = None) -> str:
    """Every outcome: n, pre/post M (SD), change [CI], t(df), p, adjusted p, then the lead
    effect size [CI] and d_z or d_av beside it (:func:`shown_effect_sizes`), with a note that
    defines each.

    An outcome whose scale has Cronbach's alpha below .60 at either time carries a caveat in its
    row (see :func:`parentgroup.report.summary.low_alpha_scales`)."""
    if paired.empty:
        return missing_note("paired tests (no paired_tests.csv rows)")
    level = f"{round(confidence_level * 100):d}%"
    effects = shown_effect_sizes(paired)
    lead = effects[0]
    method = str(paired["p_adjust_method"].iloc[0]) if "p_adjust_method" in paired else ""
    method_name = _esc(P_ADJUST_NAMES.get(method, method))
    flags = low_alpha_scales(reliability if reliability is not None else pd.DataFrame(), paired)
    header = ["Outcome", "<em>n</em>", "Pre <em>M</em> (<em>SD</em>)",
              "Post <em>M</em> (<em>SD</em>)", f"Change [{level} CI]", "<em>t</em>(<em>df</em>)",
              "<em>p</em>", f"<em>p</em> ({method_name})" if method_name else "<em>p</em> adj.",
              *[f"{EFFECT_SIZE_NAMES.get(e, _esc(e))} [{level} CI]" for e in effects]]
    rows = []
    for r in paired.to_dict("records"):
        notes = [_esc(r["note"])] if _esc(r["note"]) else []
        if r["outcome"] in flags:
            notes.append('<span class="caveat">low reliability, α &lt; .60 ('
                         + _esc("; ".join(flags[r["outcome"]])) + "): read with caution</span>")
        rows.append([
            _esc(r["label"]) + "".join(f"<br><small>{n}</small>" for n in notes),
            format_count(r["n_pairs"], 0),
            format_mean_sd(r["mean_pre"], r["sd_pre"]),
            format_mean_sd(r["mean_post"], r["sd_post"]),
            f"{format_number(r['mean_change'])} "
            f"{format_ci(r['change_ci_low'], r['change_ci_high'])}",
            f"{format_number(r['t'])}({format_number(r['df'], 0)})", format_p(r["p"]),
            format_p(r["p_adjusted"]),
            *[_effect_cell(r, e, lead) for e in effects],
        ])
    note = render("effect_size_note.html.j2", names=[
        (Markup(EFFECT_SIZE_NAMES.get(e, html.escape(e))), e) for e in effects])
    return (_table(header, rows, "Paired comparisons, pre (then) against post (now)")
            + f'<p class="table-note">{note}</p>')


def assumptions_table_html(paired: pd.DataFrame) -> str:
    """Per outcome: the Shapiro-Wilk test of the changes' normality, and the Wilcoxon
    signed-rank test with its effect size, the matched-pairs rank-biserial correlation
    (Kerby 2014: r = (T+ - T-) / (T+ + T-))."""
    if paired.empty:
        return ""
    rows = []
    for r in paired.itertuples(index=False):
        rows.append([
            _esc(r.label), format_count(r.n_pairs, 0),
            format_number(getattr(r, "shapiro_w", None), bounded=True),
            format_p(getattr(r, "shapiro_p", None)),
            format_number(r.wilcoxon_w, 1), format_p(r.wilcoxon_p),
            format_number(getattr(r, "rank_biserial", None), bounded=True),
        ])
    return _table(["Outcome", "<em>n</em>", "Shapiro-Wilk <em>W</em>",
                   "<em>p</em> (Shapiro-Wilk)",
                   "Wilcoxon <em>W</em>", "<em>p</em> (Wilcoxon)", "<em>r</em><sub>rb</sub>"], rows,
                  "Normality of the changes and the Wilcoxon signed-rank test")


#: APA's italic statistical symbols in the analysis stage's plain-text sentences.
_APA_SYMBOLS = re.compile(
    r"(?<![\w&;-])(M|SD|t|p|n|W|r|d_z|d_av|d_rm|g_av)(?=\s*(?:[=(]|&lt;|&gt;))")


def apa_html(sentence: str) -> str:
    """One APA sentence (plain text from the analysis stage) with italic symbols, d_z as
    d with subscript z, minus signs and no-break spaces (:func:`parentgroup.formatting.typeset`).

    ``apa_html("t(11) = -4.65, p < .001, d_z = -1.34")`` gives
    ``<em>t</em>(11) = −4.65, <em>p</em> &lt; .001, <em>d</em><sub>z</sub> = −1.34`` (each
    space around a relation sign a no-break space).
    """
    def symbol(match: re.Match) -> str:
        name = match.group(1)
        if "_" in name:
            letter, sub = name.split("_", 1)
            return f"<em>{letter}</em><sub>{sub}</sub>"
        return f"<em>{name}</em>"

    return formatting.typeset(_APA_SYMBOLS.sub(symbol, html.escape(sentence, quote=False)))


def apa_sentences_html(paired: pd.DataFrame) -> str:
    """The APA sentences written by the analysis stage (``apa`` column), one paragraph each; a
    change that is not statistically significant
    (:func:`parentgroup.formatting.statistically_significant`) is said to be so after its
    sentence, which describes the means ("decreased from ... to ...")."""
    if paired.empty or "apa" not in paired.columns:
        return missing_note("APA summaries")
    items = []
    for r in paired.to_dict("records"):
        if not _esc(r["apa"]):
            continue
        caveat = ""
        if formatting.statistically_significant(r) is False:
            caveat = " " + html.escape(phrase("not_significant",
                                              alpha=_alpha_text(formatting.ALPHA)))
        items.append(f"<li>{apa_html(str(r['apa']))}{caveat}</li>")
    return f'<ul class="apa">{"".join(items)}</ul>' if items else missing_note("APA summaries")


def _alpha_text(alpha: float) -> str:
    """A significance level as written: ``.05``."""
    return formatting.format_number(alpha, bounded=True)


def _not_significant_words(r: Any) -> str:
    """"; not statistically significant" after a joint display's numbers, where that is so."""
    row = r._asdict() if hasattr(r, "_asdict") else r
    return ("; not statistically significant"
            if formatting.statistically_significant(row) is False else "")


def reliability_table_html(reliability: pd.DataFrame,
                           labels_by_scale: Mapping[tuple[str, str], str] | None = None,
                           floor: float = 0.60) -> str:
    """Cronbach's alpha with its CI and McDonald's omega, per scale and time; scales are named
    with the outcome labels (one label style) and an alpha below ``floor`` is flagged."""
    if reliability.empty:
        return missing_note("reliability (reliability.csv)")
    labels_by_scale = labels_by_scale or {}
    rows = []
    for r in reliability.itertuples(index=False):
        label = labels_by_scale.get((r.instrument, r.scale)) or \
            f"{str(r.instrument).upper()} {str(r.scale).replace('_', ' ')}"
        low = not _is_missing(r.alpha) and float(r.alpha) < floor
        flag = ' <span class="caveat">(below .60)</span>' if low else ""
        rows.append([_esc(label), _esc(r.time), format_count(r.n, 0), format_count(r.k_items, 0),
                     f"{format_number(r.alpha, bounded=True)} "
                     f"{format_ci(r.alpha_ci_low, r.alpha_ci_high, bounded=True)}"
                     + flag, format_number(r.omega, bounded=True)])
    return _table(["Scale", "Time", "<em>n</em>", "Items", "α [95% CI]", "ω"], rows,
                  "Internal consistency (Cronbach's α and McDonald's ω)")


def reliable_change_table_html(reliable_change: pd.DataFrame, labels: Mapping[str, str],
                               min_cell_size: int = 3,
                               directions: Mapping[str, str] | None = None) -> str:
    """Counts of parents per outcome and reliable-change category (Jacobson & Truax 1991).

    The rows come from :func:`parentgroup.analysis.reliable_change.reliable_change_summary`, so
    every category of reliable_change.csv is shown and each row sums to its n: a directed scale
    shows improved / no reliable change / deteriorated, a mid-range-optimal one reliable
    increase / no reliable change / reliable decrease (its direction is taken from
    ``directions``, else from its categories)."""
    if reliable_change.empty:
        return missing_note("reliable change (reliable_change.csv)")
    found = set(reliable_change["outcome"])
    order = [o for o in labels if o in found] + sorted(found - set(labels))
    aliases = {"decrease": "lower_better", "increase": "higher_better",
               "mid-range": "mid_optimal"}
    directions = {o: aliases.get(str(d), str(d)) for o, d in (directions or {}).items()}
    for outcome in order:
        if directions.get(outcome) not in CATEGORIES_BY_DIRECTION:
            mine = set(reliable_change.loc[reliable_change["outcome"] == outcome, "category"])
            mid = bool(mine & {"reliable increase", "reliable decrease"})
            directions[outcome] = "mid_optimal" if mid else "higher_better"
    summary = reliable_change_summary(
        reliable_change, {o: directions[o] for o in order}, labels)
    has_not_computed = (summary["category"] == NOT_COMPUTED).any()
    columns = [("Improved / reliable increase", {"improved", "reliable increase"}),
               ("No reliable change", {"no reliable change"}),
               ("Deteriorated / reliable decrease", {"deteriorated", "reliable decrease"})]
    rows = []
    for outcome, mine in summary.groupby("outcome", sort=False):
        counts = dict(zip(mine["category"], mine["n_parents"], strict=True))
        known = set().union(*(c for _, c in columns)) | {NOT_COMPUTED}
        other = sum(n for c, n in counts.items() if c not in known)
        if other:  # a category this table has no column for would be lost: name it
            raise ValueError(f"reliable change of {outcome}: categories "
                             f"{sorted(set(counts) - known)} have no column")
        mid = directions[outcome] == "mid_optimal"
        cells = [_esc(labels.get(outcome, outcome)),
                 "mid-range optimal" if mid else
                 ("lower = better" if directions[outcome] == "lower_better" else
                  "higher = better")]
        in_columns = {name: sum(counts.get(c, 0) for c in members) for name, members in columns}
        if has_not_computed:
            in_columns[NOT_COMPUTED] = counts.get(NOT_COMPUTED, 0)
        # the categories partition the outcome's n, shown exactly: the differencing rule too
        n_outcome = int(mine["n_outcome"].iloc[0])
        cells += [_shown_count(v) for v in shown_categories(
            n_outcome, in_columns, min_cell_size=min_cell_size).values()]
        cells.append(format_count(n_outcome, 0))
        rows.append(cells)
    header = ["Outcome", "Direction", "Improved / reliable increase", "No reliable change",
              "Deteriorated / reliable decrease"]
    header += ["Not computed"] if has_not_computed else []
    header += ["n"]
    table = _table(header, rows,
                   "Reliable change (|RCI| &gt; 1.96), parents per category. On a "
                   "mid-range-optimal scale a reliable increase or decrease is not an "
                   "improvement or a deterioration")
    if any("withheld" in row for row in rows):
        table += (f'<p class="table-note"><em>Note.</em> Withheld: with the <em>n</em> beside '
                  f"it, this count would give a category of fewer than {min_cell_size} "
                  "parents back by a subtraction.</p>")
    return table


def power_table_html(power: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Sensitivity power: the smallest d_z detectable with the given n, alpha and power; one
    row per n and power level (outcomes with the same n share a row, named in it)."""
    if power.empty:
        return missing_note("sensitivity power (power.csv)")
    rows = []
    grouped = power.groupby(["n_pairs", "alpha", "power"], sort=True)["outcome"]
    for (n, alpha, level), outcomes in grouped:
        names = list(dict.fromkeys(outcomes))
        first = power[(power["n_pairs"] == n) & (power["alpha"] == alpha)
                      & (power["power"] == level)].iloc[0]
        every = len(names) == power["outcome"].nunique()
        which = "all outcomes" if every else ", ".join(_esc(labels.get(o, o)) for o in names)
        rows.append([format_count(n, 0), format_number(alpha, bounded=True),
                     format_number(level, bounded=True),
                     format_number(first["min_detectable_d_z"]), which])
    return _table(["<em>n</em>", "α", "Power", "Smallest detectable <em>d</em><sub>z</sub>",
                   "Outcomes"], rows, "Sensitivity power analysis")


def sensitivity_table_html(sensitivity: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Completers against everyone with data, per outcome."""
    if sensitivity.empty:
        return missing_note("sensitivity analysis (sensitivity.csv)")
    samples = {"completers": "completers", "all_with_data": "all parents with data"}
    rows = [[_esc(labels.get(r.outcome, r.outcome)),
             _esc(samples.get(str(r.sample), str(r.sample).replace("_", " "))),
             format_count(r.n_pairs, 0), format_number(r.mean_change), format_number(r.d_z),
             format_p(r.p)] for r in sensitivity.itertuples(index=False)]
    caption = "Sensitivity analysis: completers and all parents with data"
    if (sensitivity["n_pairs"].notna() & sensitivity["mean_change"].isna()).any():
        caption += (" (&ndash;: withheld, as the row adds fewer parents than the small-count "
                    "threshold to the completers and the difference would give their own changes)")
    return _table(["Outcome", "Sample", "<em>n</em>", "Mean change", "<em>d</em><sub>z</sub>",
                   "<em>p</em>"], rows, caption)


def sensitivity_note_html(sensitivity: pd.DataFrame, labels: Mapping[str, str],
                          min_cell_size: int = 3) -> str:
    """In words: what including the non-completers changes (nothing, or which conclusion), and
    for which outcomes the comparison is withheld by the disclosure rule: "changes no
    conclusion" only for outcomes actually compared
    (:func:`parentgroup.report.summary.sensitivity_comparison`)."""
    from parentgroup.report.summary import ALPHA_LEVEL, sensitivity_comparison

    if sensitivity.empty:
        return ""
    found = sensitivity_comparison(sensitivity, labels, min_cell_size)
    return render("sensitivity_note.html.j2", changes=found.changes, compared=found.compared,
                  withheld=found.withheld, min_cell_size=min_cell_size,
                  which="every outcome" if not found.compared else ", ".join(found.withheld),
                  alpha=_alpha_text(ALPHA_LEVEL))


def dose_response_table_html(dose: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Spearman correlation of sessions attended with change, per outcome."""
    if dose.empty:
        return missing_note("dose-response analysis (dose_response.csv)")
    rows = [[_esc(labels.get(r.outcome, r.outcome)), format_count(r.n, 0),
             format_number(r.spearman_rho, bounded=True), format_p(r.p)]
            for r in dose.itertuples(index=False)]
    return _table(["Outcome", "<em>n</em>", "Spearman ρ", "<em>p</em>"], rows,
                  "Sessions attended and change (dose-response)")


def response_shift_table_html(shift: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Three-timepoint sites: conventional pretest against the then-test (response shift,
    Howard 1980); empty string when the site has no such table."""
    if shift.empty:
        return ""
    rows = [[_esc(labels.get(r.outcome, r.outcome)), format_count(r.n_pairs, 0),
             format_number(r.mean_shift), format_number(r.t), format_p(r.p),
             format_number(r.d_z)] for r in shift.itertuples(index=False)]
    return "<h3>Response shift</h3>" + _table(
        ["Outcome", "<em>n</em>", "Mean shift (then - pre)", "<em>t</em>", "<em>p</em>",
         "<em>d</em><sub>z</sub>"], rows,
        "Conventional pretest against the retrospective then-test")


# --------------------------------------------------------------------------- qualitative


def theme_sections_html(themes: pd.DataFrame, quotes: pd.DataFrame, *, quotes_per_theme: int = 2,
                        min_cell_size: int = 3, n_interviewed: int | None = None) -> str:
    """One section per theme: name, central organising concept, contributors (context only),
    and up to ``quotes_per_theme`` consented, redacted quotes attributed by pseudonym."""
    if themes.empty:
        return missing_note("themes (this site has no coded interviews)")
    out = [render("themes_intro.html.j2")]
    for theme in themes.itertuples(index=False):
        n = format_count(theme.n_participants, min_cell_size)
        of = f" of {n_interviewed}" if n_interviewed else ""
        out.append(f'<h3 id="theme-{_esc(theme.theme_id)}">{_esc(theme.name)}</h3>')
        out.append(f"<p><strong>Central organising concept.</strong> "
                   f"{_esc(theme.central_organising_concept)}</p>")
        out.append(f"<p><small>Context: {n}{of} interviewed parents contributed to this "
                   "theme.</small></p>")
        selected = quotes[quotes["theme_id"] == theme.theme_id] if not quotes.empty else quotes
        shown = 0
        for quote in selected.itertuples(index=False):
            if shown >= quotes_per_theme or not _esc(quote.excerpt):
                continue
            out.append(f"<blockquote><p>&ldquo;{_esc(quote.excerpt)}&rdquo;</p>"
                       f"<footer>{_esc(quote.pseudonym)}</footer></blockquote>")
            shown += 1
        if shown == 0:
            out.append("<p><em>No consented quote is available for this theme.</em></p>")
    return "".join(out)


# --------------------------------------------------------------------------- integration


def joint_display_outcomes_html(joint: pd.DataFrame, lead_effect_size: str = "d_z") -> str:
    """Statistics-by-themes joint display: numbers, linked themes, quotes, fit and note.

    Quotes are shown as “text” (P01), whether written so or as ``P01: text``.
    """
    if joint.empty:
        return missing_note("statistics-by-themes joint display")
    es_name = EFFECT_SIZE_NAMES.get(lead_effect_size, html.escape(lead_effect_size))
    rows = []
    for r in joint.itertuples(index=False):
        numbers = (
            f"n = {format_count(r.n_pairs, 0)}; M {format_number(r.mean_pre)} &rarr; "
            f"{format_number(r.mean_post)}; change {format_number(r.mean_change)}; "
            f"{es_name} {format_number(r.lead_es)} "
            f"{format_ci(r.lead_es_ci_low, r.lead_es_ci_high)}; "
            f"{format_p(r.p, prefix=True)} (adj.&nbsp;{format_p(r.p_adjusted)})"
            f"{_not_significant_words(r)}"
        )
        numbers = formatting.typeset(numbers)
        themes = "<br>".join(_esc(t) for t in _split_list(r.themes)) or MISSING
        quotes = "<br>".join(_quote_cell(q) for q in _split_list_quotes(r.quotes))
        rows.append([_esc(r.label), numbers, themes, quotes or MISSING,
                     "<br>".join(_esc(f) for f in _split_list(r.fit)) or MISSING, _esc(r.note)])
    return _table(["Outcome", "Quantitative result", "Linked themes", "Illustrative quotes",
                   "Fit", "Researchers' note"], rows,
                  "Joint display: statistics by themes", css="report-table joint-display")


def joint_display_links_html(links: pd.DataFrame, lead_effect_size: str = "d_z",
                             min_cell_size: int = 3) -> str:
    """The joint display after Fetters, Curry & Creswell (2013): one row per theme-outcome link
    (``joint_display_links.csv``), grouped by outcome, with its own fit and meta-inference.
    The number of parents who voiced a theme follows the disclosure rule."""
    if links.empty:
        return missing_note("joint display of theme-outcome links (joint_display_links.csv)")
    es_name = EFFECT_SIZE_NAMES.get(lead_effect_size, html.escape(lead_effect_size))
    rows = []
    previous = None
    for r in links.itertuples(index=False):
        first = r.outcome != previous
        previous = r.outcome
        numbers = (
            f"<em>n</em> = {format_count(r.n_pairs, 0)}; change {format_number(r.mean_change)}; "
            f"{es_name} = {format_number(r.lead_es)} "
            f"{format_ci(r.lead_es_ci_low, r.lead_es_ci_high)}; "
            f"{format_p(r.p, prefix=True)} (adj.&nbsp;{format_p(r.p_adjusted)})"
            f"{_not_significant_words(r)}"
        ) if first else "&#12291;"  # ditto mark: the same outcome as the row above
        numbers = formatting.typeset(numbers)
        voiced = (f" (voiced by {format_count(r.n_voiced, min_cell_size)} of "
                  f"{format_count(r.n_interviewed, 0)})" if not _is_missing(r.n_interviewed)
                  else "")
        quote = (f"&ldquo;{_esc(r.quote)}&rdquo; ({_esc(r.quote_pseudonym)})"
                 if str(r.quote).strip() else MISSING)
        rows.append([_esc(r.label) if first else "", numbers, _esc(r.theme) + voiced, quote,
                     _esc(r.fit) or MISSING, _esc(r.meta_inference) or MISSING])
    return render("joint_links_intro.html.j2") + _table(
        ["Outcome", "Quantitative result", "Theme", "Illustrative quote", "Fit",
         "Meta-inference"], rows,
        "Joint display: each theme-outcome link with its fit and meta-inference",
        css="report-table joint-display")


def discordant_cases_html(discordant: pd.DataFrame) -> str:
    """Case-level discordance (``discordant_cases.csv``): the parent-outcome pairs where the
    strands disagree for one person, listed for the researchers to explain."""
    intro = render("discordant_cases.html.j2", n_rows=len(discordant))
    if discordant.empty:
        return intro
    rows = [[_esc(r.pseudonym), _esc(r.theme), _esc(r.label), format_number(r.change),
             _esc(r.category), _esc(r.pattern), _esc(r.explanation) or "to be explained"]
            for r in discordant.itertuples(index=False)]
    return intro + _table(["Parent", "Theme", "Outcome", "Change", "Reliable change", "Pattern",
                           "Researchers' explanation"], rows,
                          "Case-level discordance between the strands")


def _quote_cell(quote: str) -> str:
    """One quote of a joint-display cell: ``“text” (Q03)`` (parentgroup.qualitative.joint_display)
    is shown as is; a ``Q03: text`` cell is shown in the same form."""
    match = re.match(r"^([PQ]\d{2,3}):\s*(.*)$", quote, flags=re.S)
    if match:
        return f"&ldquo;{_esc(match.group(2))}&rdquo; ({_esc(match.group(1))})"
    if quote.startswith("“"):
        return _esc(quote)
    return f"&ldquo;{_esc(quote)}&rdquo;"


def _split_list_quotes(value: Any) -> list[str]:
    """Split a quotes cell into quotes. Quotes are joined by ``; `` between a closing
    ``(P03)`` and an opening ``“`` (a quote may itself contain a semicolon), or by `` | ``."""
    if _is_missing(value):
        return []
    parts = re.split(r"(?<=\))\s*;\s*(?=“)|\s\|\s", str(value))
    return [q.strip() for q in parts if q.strip()]


#: Above this many parents the report does not list the case-level joint display row by row
#: (the figures draw aggregates above the same size).
CASE_ROWS_MAX = MANY_PARENTS


#: The reliable-change categories as shown in the case-level display, without arrows: the arrow
#: follows the sign of the change (see :func:`change_arrow`), the word the outcome's direction.
CASE_CATEGORY_WORDS = {"improved": "improved", "deteriorated": "deteriorated",
                       "no reliable change": "no reliable change",
                       "reliable increase": "reliable increase",
                       "reliable decrease": "reliable decrease"}


def change_arrow(change: Any) -> str:
    """An arrow for the sign of a change (post - pre): up for a rise, down for a fall, none for
    zero or missing. Independent of whether the rise is an improvement.

    >>> change_arrow(-0.4), change_arrow(1.2), change_arrow(0.0)
    ('&darr;', '&uarr;', '')
    """
    if _is_missing(change):
        return ""
    value = float(change)
    return "&uarr;" if value > 0 else ("&darr;" if value < 0 else "")


def joint_display_cases_html(cases: pd.DataFrame, outcome_labels: Mapping[str, str],
                             theme_names: Mapping[str, str]) -> str:
    """Case-level joint display: per pseudonym, change and category per outcome, themes present.

    Rows are grouped as in a side-by-side display (MAXQDA), in the order and by the column
    ``group`` of ``joint_display_cases.csv`` (reliably improved on the primary outcome or not;
    no group rows when the column is absent). The arrow beside a
    change shows its sign; the word is the reliable-change category, which already takes the
    outcome's direction into account (a fall in pre-mentalizing is "improved").

    Above :data:`CASE_ROWS_MAX` parents the rows are not listed (a report thousands of rows long
    helps no reader); the note points to ``joint_display_cases.csv``, which holds them all."""
    if cases.empty:
        return missing_note("case-level joint display")
    outcomes = [c[: -len("_change")] for c in cases.columns if c.endswith("_change")]
    if len(cases) > CASE_ROWS_MAX:
        return (f"<p>The case-level joint display has {len(cases)} rows, more than the "
                f"{CASE_ROWS_MAX} a report lists; every parent's change, reliable-change "
                "category and themes are in <code>joint_display_cases.csv</code>, and the "
                "reliable-change counts per outcome are in the quantitative results.</p>")
    header = ["Parent"] + [_esc(outcome_labels.get(o, o)) for o in outcomes] + ["Themes present"]
    records = cases.to_dict("records")
    for r in records:
        if _is_missing(r.get("group")):
            r["group"] = ""
    groups = list(dict.fromkeys(str(r["group"]) for r in records))  # in the table's order
    left = ' style="text-align:left;vertical-align:top"'
    body = []
    for group in groups:
        mine = [r for r in records if str(r["group"]) == group]
        if not mine:
            continue
        if group:
            body.append(f'<tr class="case-group"><th colspan="{len(header)}"{left}>'
                        f"{_esc(group[:1].upper() + group[1:])} ({len(mine)})</th></tr>")
        for r in mine:
            cells = [_esc(r["pseudonym"])]
            for o in outcomes:
                category = r.get(f"{o}_category", "")
                word = CASE_CATEGORY_WORDS.get(str(category), _esc(category))
                arrow = change_arrow(r[f"{o}_change"])
                cells.append(f"{arrow}{' ' if arrow else ''}{format_number(r[f'{o}_change'])}"
                             f"<br><small>{word}</small>")
            present = [_esc(theme_names.get(t, t)) for t in _split_list(r.get("themes_present"))]
            cells.append("<br>".join(present) or MISSING)
            body.append("<tr>" + "".join(f"<td{left}>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th{left}>{cell}</th>" for cell in header)
    caption = ("Case-level joint display: change (post - pre; the arrow shows its sign) and "
               "reliable-change category beside the themes in each parent's interview, grouped "
               "by whether the parent reliably improved on the primary outcome")
    return (f'<table class="report-table joint-display"><caption>{caption}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


def discordance_html(themes: pd.DataFrame, joint: pd.DataFrame,
                     links: pd.DataFrame | None = None) -> str:
    """The links judged discordant, listed from the data, with their notes: from the per-link
    display (``links``, whose fit already follows the rule for results that are not
    statistically significant) where there is one, else from the themes, else from the
    per-outcome display."""
    items = []
    if links is not None and not links.empty and "fit" in links.columns:
        for r in links.itertuples(index=False):
            if str(r.fit).strip() == "discordance":
                items.append((r.theme, str(r.label), r.meta_inference))
        return render("discordance.html.j2", items=items)
    if not themes.empty and "fit" in themes.columns:
        for r in themes.itertuples(index=False):
            if "discordance" in _split_list(r.fit):
                items.append((r.name, ", ".join(_split_list(r.outcomes)), r.note))
    if not items and not joint.empty:
        for r in joint.itertuples(index=False):
            if "discordance" in _split_list(r.fit):
                items.append((r.label, "", r.note))
    return render("discordance.html.j2", items=items)


def limitations_html(*, n_analysed: int | None, design: str, has_interviews: bool,
                     has_attendance: bool, p_adjust: str = "holm",
                     low_alpha: list[str] | None = None,
                     sensitivity_changes: list[str] | None = None,
                     interviewed_completers_only: bool = False,
                     power_ref: str = "the sensitivity power table") -> str:
    """Limitations of the design and of this site's data: low reliability, a sensitivity
    analysis that changes a conclusion and interviews of completers only among them."""
    return render(
        "limitations.html.j2", design=design, n_analysed=n_analysed,
        power_ref=Markup(power_ref), p_adjust_name=P_ADJUST_NAMES.get(p_adjust, p_adjust),
        low_alpha=low_alpha or [], sensitivity_changes=sensitivity_changes or [],
        interviewed_completers_only=interviewed_completers_only,
        has_interviews=has_interviews, has_attendance=has_attendance,
    )


def gramms_html(config: Mapping[str, Any], site: str, *, n_analysed: int | None,
                n_interviewed: int | None, themes: pd.DataFrame,
                links: pd.DataFrame | None = None) -> str:
    """The six GRAMMS items (O'Cathain, Murphy & Nicholl 2008), each answered from config/data.

    The fit judgements are counted over what they judge: the theme-outcome links
    (``joint_display_links.csv``, one fit each, as shown in the joint display) where there are
    any, else the themes (a theme whose links differ in fit counted under each of its fits)."""
    design = config.get("sites", {}).get(site, {}).get("design", "retrospective")
    fits = fit_counts_text(themes, links)
    timing = {
        "retrospective": "the questionnaires (then and now ratings) and the interviews were "
        "both collected after the group",
        "prospective": "the questionnaires were collected before and after the group and the "
        "interviews after it",
        "three_timepoint": "the questionnaires were collected before the group (pretest) and "
        "after it (then and post ratings), the interviews after it",
    }.get(design, f"questionnaires ({design} design) and interviews")
    page = render(
        "gramms.html.j2", timing=timing, fits=fits,
        discordant=_has_discordance(themes, links),
        n_analysed=n_analysed if n_analysed is not None else MISSING,
        n_interviewed=n_interviewed if n_interviewed is not None else MISSING,
        n_themes=0 if themes.empty else len(themes),
    )
    return page.replace("<table", '<div class="table-scroll"><table', 1).replace(
        "</table>", "</table></div>", 1)


# --------------------------------------------------------------------------- figures, appendix


def _has_discordance(themes: pd.DataFrame, links: pd.DataFrame | None) -> bool:
    """Whether any link (else any theme) is judged discordant, as :func:`discordance_html`
    lists them."""
    if links is not None and not links.empty and "fit" in links.columns:
        return any(str(f).strip() == "discordance" for f in links["fit"])
    return not themes.empty and "fit" in themes.columns and any(
        "discordance" in _split_list(f) for f in themes["fit"])


def fit_counts_text(themes: pd.DataFrame, links: pd.DataFrame | None = None) -> str:
    """The fit judgements counted, saying what is counted.

    >>> links = pd.DataFrame({"fit": ["confirmation", "confirmation", "expansion", "silence"]})
    >>> fit_counts_text(pd.DataFrame(), links)
    'fit judgements of the 4 theme-outcome links: 2 confirmation, 1 expansion, 1 silence'
    >>> themes = pd.DataFrame({"fit": ["confirmation", "expansion; confirmation"]})
    >>> fit_counts_text(themes)  # doctest: +NORMALIZE_WHITESPACE
    'fit judgements of the 2 themes: 2 with confirmation, 1 with expansion (a theme whose links
    differ in fit is counted under each)'
    """
    labels = (*FIT_LABELS, "silence")
    if links is not None and not links.empty and "fit" in links.columns:
        found = [str(f).strip() for f in links["fit"]]
        counts = [f"{found.count(label)} {label}" for label in labels if found.count(label)]
        return (f"fit judgements of the {len(found)} theme-outcome "
                f"link{'s' if len(found) != 1 else ''}: {', '.join(counts)}")
    if themes.empty or "fit" not in themes.columns:
        return ""
    counts = []
    for label in labels:
        k = sum(label in _split_list(f) for f in themes["fit"])
        if k:
            counts.append(f"{k} with {label}")
    if not counts:
        return ""
    several = any(len(_split_list(f)) > 1 for f in themes["fit"])
    return (f"fit judgements of the {len(themes)} theme{'s' if len(themes) != 1 else ''}: "
            f"{', '.join(counts)}"
            + (" (a theme whose links differ in fit is counted under each)" if several else ""))


def figure_html(figures: pd.DataFrame, name: str, figures_dir: Path | str,
                label: str = "") -> str:
    """One figure from figures.csv embedded as a base64 PNG with its number (``label``, e.g.
    "Figure 3"), its title and caption, and its alt text. A tap or click opens it at full size
    (a checkbox and CSS, no script), so a phone reader can zoom into it."""
    if figures.empty or name not in set(figures["name"]):
        return missing_note(f"figure '{name}'")
    row = figures[figures["name"] == name].iloc[0]
    path = Path(figures_dir) / f"{name}.png"
    if not path.is_file():
        return missing_note(f"figure '{name}' (no PNG file)")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    number = f'<span class="label">{_esc(label)}.</span> ' if label else ""
    return (
        f'<figure id="figure-{_esc(name)}">'
        f'<input type="checkbox" class="zoom" id="zoom-{_esc(name)}" '
        f'aria-label="Show {_esc(label or name)} at full size">'
        f'<label for="zoom-{_esc(name)}">'
        f'<img src="data:image/png;base64,{data}" alt="{_typeset(row["alt_text"])}"></label>'
        f"<figcaption>{number}<span class=\"title\">{_typeset(row['title'])}.</span> "
        f"{_typeset(row['caption'])} <span class=\"zoom-hint\">(Tap or click the figure to "
        "see it "
        "at full size.)</span></figcaption></figure>"
    )


def figure_names_for_section(figures: pd.DataFrame, section: str) -> list[str]:
    """The figures of a report section, in figures.csv order, by name.

    ``sample``: participant_flow, attendance; ``joint``: joint_display*; ``quantitative``: every
    other figure (change_*, effect_sizes, reliable_change, ...), so no figure is ever dropped.
    """
    if figures.empty:
        return []
    names = list(figures["name"])
    sample = [n for n in names if n in {"participant_flow", "attendance"}]
    joint = [n for n in names if n.startswith("joint_display")]
    if section == "sample":
        return sample
    if section == "joint":
        return joint
    if section == "quantitative":
        return [n for n in names if n not in sample and n not in joint]
    raise ValueError(f"unknown report section {section!r}")


def provenance_html(provenance: Mapping[str, Any]) -> str:
    """Package versions, git commit and input checksums (provenance.json) as tables."""
    if not provenance:
        return missing_note("provenance record")
    parts = [f"<p><strong>Git commit:</strong> <code>{_esc(provenance.get('git_commit'))}</code>"
             f"; <strong>Python:</strong> {_esc(provenance.get('python'))}</p>"]
    packages = provenance.get("packages", {})
    parts.append(_table(["Package", "Version"],
                        [[_esc(k), _esc(packages[k])] for k in sorted(packages)],
                        "Package versions"))
    inputs = provenance.get("inputs", {})
    if inputs:
        parts.append('<div class="print-omit">' + _table(
            ["Input", "SHA-256"], [[_esc(k), f"<code>{_esc(inputs[k])}</code>"]
                                   for k in sorted(inputs)], "Input checksums") + "</div>")
    return "".join(parts)


def references_html() -> str:
    """The reference list of the works the report's fixed text cites (references.yaml), as
    plain text: no link is loaded or followed."""
    from parentgroup.report.templating import reference_list

    return render("references.html.j2", entries=reference_list())


def config_html(config_text: str) -> str:
    """The resolved configuration (already stripped of identifiers) as preformatted text."""
    return f"<pre>{html.escape(config_text)}</pre>"


def read_provenance(path: Path | str) -> dict[str, Any]:
    """The provenance JSON, or {} when the file is absent."""
    path = Path(path)
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- pooled report


def site_effects_table_html(paired_by_site: Mapping[str, pd.DataFrame]) -> str:
    """Per site and outcome: n, mean change and the lead effect size with its CI."""
    rows = []
    for site in sorted(paired_by_site):
        for r in paired_by_site[site].itertuples(index=False):
            rows.append([_esc(site), _esc(r.label), format_count(r.n_pairs, 0),
                         format_number(r.mean_change),
                         f"{_esc(r.lead_effect_size)} {format_number(r.lead_es)} "
                         f"{format_ci(r.lead_es_ci_low, r.lead_es_ci_high)}", format_p(r.p)])
    if not rows:
        return missing_note("per-site paired tests")
    return _table(["Site", "Outcome", "n", "Mean change", "Lead effect size [CI]", "p"], rows,
                  "Results per site")


def meta_analysis_table_html(meta: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Random-effects pooled estimates: k, estimate [CI], tau², I², Q and the prediction interval.

    I² = max(0, (Q - df) / Q) is shown as a percentage (Higgins & Thompson 2002).
    """
    if meta.empty:
        return missing_note("meta-analysis (meta_analysis.csv)")
    rows = []
    for r in meta.itertuples(index=False):
        alone = " (one site: not pooled)" if _is_one_site(r.k_sites) else ""
        rows.append([_esc(labels.get(r.outcome, r.outcome)), format_count(r.k_sites, 0),
                     _esc(r.method),
                     f"{format_number(r.estimate)} {format_ci(r.ci_low, r.ci_high)}{alone}",
                     format_number(r.tau2, 3), format_i2(r.i2),
                     f"{format_number(r.q)} ({format_p(r.q_p)})",
                     format_ci(r.pi_low, r.pi_high)])
    return _table(["Outcome", "Sites", "Method", "Pooled estimate [95% CI]", "τ²", "I²",
                   "Q (p)", "95% prediction interval"], rows, "Pooled across sites")


def _is_one_site(k_sites: Any) -> bool:
    return not _is_missing(k_sites) and int(float(k_sites)) == 1


def format_i2(i2: Any) -> str:
    """I² as a whole percentage. A value in [0, 1] is read as a proportion (statsmodels), a
    larger one as already in percent (metafor): ``format_i2(0.423) == format_i2(42.3) == "42%"``.
    """
    if _is_missing(i2):
        return MISSING
    value = float(i2)
    return f"{format_number(value * 100 if value <= 1 else value, 0)}%"


def pooled_limitations_html(k_sites: int, designs: Iterable[str] | None = None,
                            controlled: bool = False) -> str:
    """What a pooled estimate from few small sites can and cannot say. ``designs`` (each site's
    design) and ``controlled`` (two or more sites with a comparison arm were pooled) decide the
    sentence on the design: the then-test's biases only where every site used it, and "no
    control group" only without pooled comparison arms."""
    designs = list(designs) if designs is not None else ["retrospective"]
    return render("pooled_limitations.html.j2", k_sites=int(k_sites),
                  all_retrospective=bool(designs) and all(d == "retrospective" for d in designs),
                  controlled=bool(controlled))
