"""Report text: the contract tables turned into the prose and HTML of the mixed-methods report.

This is the only place where numbers are rounded (the tables keep full precision): two decimals
for statistics, APA style for p values (``.053``, ``< .001``; American Psychological Association
2020, *Publication Manual*, 7th ed., §6.36). Counts of people below ``min_cell_size`` are shown as
``"<3"`` so that no small group can be singled out.

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
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from parentgroup.disclosure import small_count
from parentgroup.outputs import MANY_PARENTS
from parentgroup.tables import as_bool

MISSING = "–"  # en dash for a value that is not available

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
    "figures": "figures/figures.csv",
}
#: The tables of data/processed/<site>/ the report reads (§1).
PROCESSED_TABLES = {"participants": "participants.csv", "attendance": "attendance.csv"}

SYNTHETIC_BANNER = (
    "SYNTHETIC DEMO DATA: fictional people; the numbers illustrate the pipeline"
)
FIT_LABELS = ("confirmation", "expansion", "discordance")
EFFECT_SIZE_NAMES = {"d_z": "d<sub>z</sub>", "d_av": "d<sub>av</sub>", "d_rm": "d<sub>rm</sub>",
                     "g_av": "g<sub>av</sub>"}


# --------------------------------------------------------------------------- numbers


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == "" or value.strip().lower() == "nan"
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_number(value: Any, digits: int = 2) -> str:
    """Round for display: ``format_number(1.23456) == "1.23"``; missing -> "–".

    Text values (e.g. ``"<3"`` from an engagement table) are returned unchanged (escaped).
    Negative zero after rounding is shown as ``0.00``.
    """
    if _is_missing(value):
        return MISSING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return html.escape(str(value))
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    text = f"{number:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text


def format_p(p: Any, *, prefix: bool = False) -> str:
    """A p value in APA style: three decimals without the leading zero, ``< .001`` below .001.

    ``format_p(0.0534) == ".053"``, ``format_p(0.00033) == "< .001"``,
    ``format_p(0.9999) == "> .999"``; with ``prefix=True``: ``"p = .053"`` / ``"p < .001"``.
    Missing values give "–". A value outside [0, 1] is a programming error (ValueError).
    """
    if _is_missing(p):
        return f"p = {MISSING}" if prefix else MISSING
    value = float(p)
    if math.isnan(value) or value < 0 or value > 1:
        raise ValueError(f"a p value must lie in [0, 1], got {p!r}")
    if value < 0.001:
        text, sign = ".001", "<"
    elif round(value, 3) >= 1.0:
        text, sign = ".999", ">"
    else:
        text, sign = f"{value:.3f}".lstrip("0"), "="
    if prefix:
        return f"p {sign} {text}"
    return text if sign == "=" else f"{sign} {text}"


def format_ci(low: Any, high: Any, digits: int = 2) -> str:
    """A confidence interval in APA brackets: ``format_ci(-0.014, 1.6) == "[-0.01, 1.60]"``."""
    if _is_missing(low) and _is_missing(high):
        return MISSING
    return f"[{format_number(low, digits)}, {format_number(high, digits)}]"


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
    return (f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


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
    return found


# --------------------------------------------------------------------------- front matter


def banner_html(synthetic: bool) -> str:
    """The prominent synthetic-data banner (empty string for real data)."""
    if not synthetic:
        return ""
    return (
        '<div class="synthetic-banner" role="note" style="border:3px solid #b00020;'
        "background:#fff3f3;color:#b00020;padding:0.8em;font-weight:bold;font-size:1.2em;"
        f'text-align:center;margin:1em 0">{html.escape(SYNTHETIC_BANNER)}</div>'
    )


def title_html(config: Mapping[str, Any], site: str) -> str:
    """The report title, the site and the study it reproduces."""
    study = config.get("study", {})
    title = study.get("title") or config.get("report", {}).get("title", "Mixed-methods report")
    parts = [f"<h1>{html.escape(title)}</h1>", f"<p><strong>Site:</strong> {html.escape(site)}</p>"]
    if study.get("reference"):
        parts.append(f"<p><strong>Study reproduced:</strong> {html.escape(study['reference'])}</p>")
    return "".join(parts)


def design_html(config: Mapping[str, Any], site: str) -> str:
    """What was studied, the design and its rationale (then-test; completer definition)."""
    study = config.get("study", {})
    site_cfg = config.get("sites", {}).get(site, {})
    design = site_cfg.get("design", "retrospective")
    sessions = site_cfg.get("sessions")
    threshold = config.get("completer_min_sessions")
    instruments = ", ".join(i.upper() for i in config.get("instruments", []))
    intervention = study.get("intervention") or "The intervention is not described in the config."
    designs = {
        "retrospective": (
            "a retrospective pretest-posttest (&ldquo;then-test&rdquo;) design: after the group, "
            "parents rated each item twice, as they were before the group (&ldquo;then&rdquo;) and "
            "as they are now. Rating both points against the same, post-intervention internal "
            "standard is meant to attenuate response-shift bias, the change in a respondent's "
            "yardstick that the intervention itself causes (Howard 1980)."
        ),
        "prospective": (
            "a conventional pretest-posttest design: parents completed the questionnaires before "
            "the first and after the last session. Ratings may be affected by response shift "
            "(Howard 1980)."
        ),
        "three_timepoint": (
            "a three-timepoint design: a conventional pretest before the group, and a "
            "retrospective &ldquo;then&rdquo; rating with the posttest after it. Change is "
            "analysed from then to post (attenuating response-shift bias, Howard 1980); the "
            "pretest against the then-test estimates the response shift itself."
        ),
    }
    text = [
        "<h2>What was studied</h2>",
        f"<p>{html.escape(intervention)}</p>",
        "<h2>Design and rationale</h2>",
        f"<p>A convergent mixed-methods evaluation. The quantitative strand ({instruments}) used "
        f"{designs.get(design, html.escape(design))}</p>",
        "<p>The qualitative strand used semi-structured interviews analysed with reflexive "
        "thematic analysis (Braun &amp; Clarke 2006, 2022); themes were developed by the "
        "researchers, not counted into existence. The two strands were integrated in joint "
        "displays, with a fit judgement (confirmation, expansion or discordance; Fetters, Curry "
        "&amp; Creswell 2013) for every link between a theme and an outcome.</p>",
    ]
    if threshold is not None:
        offered = f" of {sessions} offered" if sessions else ""
        text.append(
            f"<p><strong>Completers</strong> are parents who attended at least {int(threshold)} "
            f"sessions{offered}; the paired analyses use completers with both ratings.</p>"
        )
    return "".join(text)


# --------------------------------------------------------------------------- sample


def flow_table_html(flow: pd.DataFrame, min_cell_size: int = 3) -> str:
    """The participant-flow table (step, n, detail) with small counts suppressed."""
    if flow.empty:
        return missing_note("participant flow table")
    rows = [[_esc(str(r.step).replace("_", " ")), format_count(r.n, min_cell_size), _esc(r.detail)]
            for r in flow.itertuples(index=False)]
    return _table(["Step", "n", "Detail"], rows, "Participant flow")


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
        parts = [f"{_esc(value)}: {format_count(counts[value], min_cell_size)}"
                 for value in sorted(counts.index)]
        rows.append([label, "; ".join(parts)])
    total = f"{len(participants)} parents enrolled (one-way counts; categories are not crossed)"
    return _table(["Characteristic", "Parents"], rows, html.escape(total))


def attendance_summary_html(participants: pd.DataFrame, attendance: pd.DataFrame,
                            engagement: pd.DataFrame, *, sessions: int | None,
                            completer_min_sessions: int | None, min_cell_size: int = 3) -> str:
    """Attendance as summaries (median, quartiles, per-session counts), plus engagement.csv."""
    parts = []
    if not attendance.empty:
        attended = attendance[attendance["attended"].astype(int) == 1]
        per_parent = attended.groupby("pseudonym")["session"].nunique().reindex(
            sorted(attendance["pseudonym"].unique()), fill_value=0)
        q1, median, q3 = per_parent.quantile([0.25, 0.5, 0.75]).tolist()
        offered = sessions or int(attendance["session"].max())
        parts.append(
            f"<p>Parents attended a median of {format_number(median, 1)} of {offered} sessions "
            f"(interquartile range {format_number(q1, 1)} to {format_number(q3, 1)}).</p>"
        )
        per_session = attended.groupby("session")["pseudonym"].nunique().reindex(
            range(1, offered + 1), fill_value=0)
        rows = [[str(s), format_count(n, min_cell_size)] for s, n in per_session.items()]
        parts.append(_table(["Session", "Parents present"], rows, "Attendance per session"))
    else:
        parts.append(missing_note("attendance records (no attendance.csv for this site)"))
    if not participants.empty and "completer" in participants.columns and completer_min_sessions:
        completers = as_bool(participants["completer"]).sum()
        parts.append(
            f"<p>{format_count(completers, min_cell_size)} of {len(participants)} parents "
            f"attended at least {int(completer_min_sessions)} sessions (completers).</p>"
        )
    if not engagement.empty:
        rows = [[_esc(str(r.measure).replace("_", " ")), _esc(r.group),
                 format_number(r.value) if _numeric_non_count(r.value) else _esc(r.value),
                 _esc(r.detail)] for r in engagement.itertuples(index=False)]
        parts.append(_table(["Measure", "Group", "Value", "Detail"], rows, "Engagement"))
    return "".join(parts)


def _numeric_non_count(value: Any) -> bool:
    try:
        return not float(value).is_integer()
    except (TypeError, ValueError):
        return False


# --------------------------------------------------------------------------- quantitative


def outcome_table_html(paired: pd.DataFrame, confidence_level: float = 0.95) -> str:
    """Every outcome: pre/post M (SD), change [CI], t, df, p, adjusted p, lead ES [CI], Wilcoxon."""
    if paired.empty:
        return missing_note("paired tests (no paired_tests.csv rows)")
    level = f"{round(confidence_level * 100):d}%"
    es_name = EFFECT_SIZE_NAMES.get(str(paired["lead_effect_size"].iloc[0]), "ES")
    method = _esc(paired["p_adjust_method"].iloc[0]) if "p_adjust_method" in paired else ""
    header = ["Outcome", "n", "Pre M (SD)", "Post M (SD)", f"Change [{level} CI]", "t", "df",
              "p", f"p adj. ({method})", f"{es_name} [{level} CI]", "Wilcoxon W", "Wilcoxon p"]
    rows = []
    for r in paired.itertuples(index=False):
        rows.append([
            _esc(r.label) + (f"<br><small>{_esc(r.note)}</small>" if _esc(r.note) else ""),
            format_count(r.n_pairs, 0),
            format_mean_sd(r.mean_pre, r.sd_pre),
            format_mean_sd(r.mean_post, r.sd_post),
            f"{format_number(r.mean_change)} {format_ci(r.change_ci_low, r.change_ci_high)}",
            format_number(r.t), format_number(r.df, 0), format_p(r.p), format_p(r.p_adjusted),
            f"{format_number(r.lead_es)} {format_ci(r.lead_es_ci_low, r.lead_es_ci_high)}",
            format_number(r.wilcoxon_w, 1), format_p(r.wilcoxon_p),
        ])
    return _table(header, rows, "Paired comparisons, pre (then) against post (now)")


def apa_sentences_html(paired: pd.DataFrame) -> str:
    """The APA sentences written by the analysis stage (``apa`` column), one paragraph each."""
    if paired.empty or "apa" not in paired.columns:
        return missing_note("APA summaries")
    items = [f"<li>{_esc(s)}</li>" for s in paired["apa"] if _esc(s)]
    return f'<ul class="apa">{"".join(items)}</ul>' if items else missing_note("APA summaries")


def reliability_table_html(reliability: pd.DataFrame) -> str:
    """Cronbach's alpha with its CI and McDonald's omega, per instrument, scale and time."""
    if reliability.empty:
        return missing_note("reliability (reliability.csv)")
    rows = [[_esc(r.instrument).upper(), _esc(str(r.scale).replace("_", " ")), _esc(r.time),
             format_count(r.n, 0), format_count(r.k_items, 0),
             f"{format_number(r.alpha)} {format_ci(r.alpha_ci_low, r.alpha_ci_high)}",
             format_number(r.omega)] for r in reliability.itertuples(index=False)]
    return _table(["Instrument", "Scale", "Time", "n", "Items", "α [95% CI]", "ω"], rows,
                  "Internal consistency")


def reliable_change_table_html(reliable_change: pd.DataFrame, labels: Mapping[str, str],
                               min_cell_size: int = 3) -> str:
    """Counts of parents per outcome and reliable-change category (Jacobson & Truax 1991)."""
    if reliable_change.empty:
        return missing_note("reliable change (reliable_change.csv)")
    categories = ["improved", "no reliable change", "deteriorated"]
    counts = reliable_change.groupby(["outcome", "category"]).size()
    order = list(labels) + sorted(set(reliable_change["outcome"]) - set(labels))
    rows = []
    for outcome in order:
        if outcome not in set(reliable_change["outcome"]):
            continue
        rows.append([_esc(labels.get(outcome, outcome))] + [
            format_count(counts.get((outcome, c), 0), min_cell_size) for c in categories])
    return _table(["Outcome", "Improved", "No reliable change", "Deteriorated"], rows,
                  "Reliable change (|RCI| &gt; 1.96), parents per category")


def power_table_html(power: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Sensitivity power: the smallest d_z detectable with the given n, alpha and power."""
    if power.empty:
        return missing_note("sensitivity power (power.csv)")
    rows = [[_esc(labels.get(r.outcome, r.outcome)), format_count(r.n_pairs, 0),
             format_number(r.alpha), format_number(r.power), format_number(r.min_detectable_d_z)]
            for r in power.itertuples(index=False)]
    return _table(["Outcome", "n", "α", "Power", "Smallest detectable d<sub>z</sub>"], rows,
                  "Sensitivity power analysis")


def sensitivity_table_html(sensitivity: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Completers against everyone with data, per outcome."""
    if sensitivity.empty:
        return missing_note("sensitivity analysis (sensitivity.csv)")
    rows = [[_esc(labels.get(r.outcome, r.outcome)), _esc(str(r.sample).replace("_", " ")),
             format_count(r.n_pairs, 0), format_number(r.mean_change), format_number(r.d_z),
             format_p(r.p)] for r in sensitivity.itertuples(index=False)]
    caption = "Sensitivity analysis: completers and all parents with data"
    if (sensitivity["n_pairs"].notna() & sensitivity["mean_change"].isna()).any():
        caption += (" (&ndash;: withheld, as the row adds fewer parents than the small-count "
                    "threshold to the completers and the difference would give their own changes)")
    return _table(["Outcome", "Sample", "n", "Mean change", "d<sub>z</sub>", "p"], rows, caption)


def dose_response_table_html(dose: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """Spearman correlation of sessions attended with change, per outcome."""
    if dose.empty:
        return missing_note("dose-response analysis (dose_response.csv)")
    rows = [[_esc(labels.get(r.outcome, r.outcome)), format_count(r.n, 0),
             format_number(r.spearman_rho), format_p(r.p)]
            for r in dose.itertuples(index=False)]
    return _table(["Outcome", "n", "Spearman ρ", "p"], rows,
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
        ["Outcome", "n", "Mean shift (then - pre)", "t", "p", "d<sub>z</sub>"], rows,
        "Conventional pretest against the retrospective then-test")


# --------------------------------------------------------------------------- qualitative


def theme_sections_html(themes: pd.DataFrame, quotes: pd.DataFrame, *, quotes_per_theme: int = 2,
                        min_cell_size: int = 3, n_interviewed: int | None = None) -> str:
    """One section per theme: name, central organising concept, contributors (context only),
    and up to ``quotes_per_theme`` consented, redacted quotes attributed by pseudonym."""
    if themes.empty:
        return missing_note("themes (this site has no coded interviews)")
    out = [
        "<p>Themes are patterns of shared meaning developed by the researchers. The number of "
        "parents contributing to a theme is given as context, not as a measure of its "
        "importance (Braun &amp; Clarke 2006). Quotes are attributed by quote codes (Q01, "
        "Q02 ...) that are not the pseudonyms of the case-level tables, and the attendance grid "
        "shows no codes: group members who recognise a parent's words, or staff who know who "
        "came to which session, cannot use them to read that parent's scores.</p>"
    ]
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
            f"{format_p(r.p, prefix=True)} (adj. {format_p(r.p_adjusted)})"
        )
        themes = "<br>".join(_esc(t) for t in _split_list(r.themes)) or MISSING
        quotes = "<br>".join(_quote_cell(q) for q in _split_list_quotes(r.quotes))
        rows.append([_esc(r.label), numbers, themes, quotes or MISSING,
                     "<br>".join(_esc(f) for f in _split_list(r.fit)) or MISSING, _esc(r.note)])
    return _table(["Outcome", "Quantitative result", "Linked themes", "Illustrative quotes",
                   "Fit", "Researchers' note"], rows,
                  "Joint display: statistics by themes", css="report-table joint-display")


def _quote_cell(quote: str) -> str:
    """One quote of a joint-display cell: ``“text” (P03)`` (parentgroup.qualitative.joint_display)
    is shown as is; a ``P03: text`` cell is shown in the same form."""
    match = re.match(r"^(P\d{2,3}):\s*(.*)$", quote, flags=re.S)
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


def joint_display_cases_html(cases: pd.DataFrame, outcome_labels: Mapping[str, str],
                             theme_names: Mapping[str, str]) -> str:
    """Case-level joint display: per pseudonym, change and category per outcome, themes present.

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
    short = {"improved": "&uarr; improved", "deteriorated": "&darr; deteriorated",
             "no reliable change": "no reliable change"}
    rows = []
    for r in cases.to_dict("records"):
        cells = [_esc(r["pseudonym"])]
        for o in outcomes:
            category = r.get(f"{o}_category", "")
            label = short.get(str(category), _esc(category))
            cells.append(f"{format_number(r[f'{o}_change'])}<br><small>{label}</small>")
        present = [_esc(theme_names.get(t, t)) for t in _split_list(r.get("themes_present"))]
        cells.append("<br>".join(present) or MISSING)
        rows.append(cells)
    return _table(header, rows, "Case-level joint display: change (post - pre) and reliable-change "
                  "category beside the themes in each parent's interview",
                  css="report-table joint-display")


def discordance_html(themes: pd.DataFrame, joint: pd.DataFrame) -> str:
    """The links the researchers judged discordant, listed from the data, with their notes."""
    items = []
    if not themes.empty and "fit" in themes.columns:
        for r in themes.itertuples(index=False):
            if "discordance" in _split_list(r.fit):
                items.append(f"<li><strong>{_esc(r.name)}</strong> (outcomes: "
                             f"{_esc(', '.join(_split_list(r.outcomes)))}): {_esc(r.note)}</li>")
    if not items and not joint.empty:
        for r in joint.itertuples(index=False):
            if "discordance" in _split_list(r.fit):
                items.append(f"<li><strong>{_esc(r.label)}</strong>: {_esc(r.note)}</li>")
    if not items:
        return "<p>No theme-outcome link was judged discordant.</p>"
    return ("<p>Where the strands disagree (Fetters, Curry &amp; Creswell 2013), the "
            f"researchers' explanation is given:</p><ul>{''.join(items)}</ul>")


def limitations_html(*, n_analysed: int | None, design: str, has_interviews: bool,
                     has_attendance: bool, p_adjust: str = "holm") -> str:
    """Limitations of the design and of this site's data."""
    items = []
    if design in {"retrospective", "three_timepoint"}:
        items.append(
            "Then-test ratings rely on recall and are open to social desirability and effort "
            "justification: bias is likely in both prospective and retrospective ratings, and "
            "retrospective pretests are best read as subjective experience of change (Hill &amp; "
            "Betz 2005). Asking then-test questions can itself raise post-test scores (Nolte et "
            "al. 2012), so change scores should be interpreted with care.")
    items.append(
        f"Small sample{f' (n = {n_analysed} analysed)' if n_analysed is not None else ''}: "
        "estimates are imprecise (see the confidence intervals and the sensitivity power "
        "analysis), and only large effects could be detected reliably.")
    items.append("No control group: change cannot be attributed to the group rather than to "
                 "time, regression to the mean or other support received.")
    items.append("Certainty about mental states is interpreted as mid-range optimal: very high "
                 "certainty can signal rigid mentalizing, so a rise is not simply an improvement "
                 "and a small change may be a good outcome.")
    if p_adjust and p_adjust != "none":
        items.append(f"p values were adjusted for multiplicity across the outcome family "
                     f"({html.escape(p_adjust)}); unadjusted p values are shown beside them.")
    else:
        items.append("p values are not adjusted for testing several outcomes.")
    if not has_interviews:
        items.append("No interviews were coded at this site, so the qualitative strand and the "
                     "joint displays are missing.")
    if not has_attendance:
        items.append("No attendance records were available, so engagement cannot be described.")
    return f"<ul>{''.join(f'<li>{i}</li>' for i in items)}</ul>"


def gramms_html(config: Mapping[str, Any], site: str, *, n_analysed: int | None,
                n_interviewed: int | None, themes: pd.DataFrame) -> str:
    """The six GRAMMS items (O'Cathain, Murphy & Nicholl 2008), each answered from config/data."""
    design = config.get("sites", {}).get(site, {}).get("design", "retrospective")
    fits = []
    if not themes.empty and "fit" in themes.columns:
        for label in FIT_LABELS:
            k = sum(label in _split_list(f) for f in themes["fit"])
            if k:
                fits.append(f"{k} {label}")
    timing = {
        "retrospective": "the questionnaires (then and now ratings) and the interviews were "
        "both collected after the group",
        "prospective": "the questionnaires were collected before and after the group and the "
        "interviews after it",
        "three_timepoint": "the questionnaires were collected before the group (pretest) and "
        "after it (then and post ratings), the interviews after it",
    }.get(design, f"questionnaires ({design} design) and interviews")
    n_themes = 0 if themes.empty else len(themes)
    answers = [
        ("Justification for using mixed methods",
         "Questionnaires measure whether parents' reflective functioning and sense of competence "
         "changed; interviews show how parents experienced the group and what they think "
         "changed. Neither answers both questions alone."),
        ("Design: purpose, priority and sequence",
         f"Convergent design with equal priority: {timing}; the strands were analysed "
         "separately and then integrated."),
        ("Each method: sampling, data collection, analysis",
         f"Quantitative: {n_analysed if n_analysed is not None else MISSING} completers with "
         "paired ratings; paired t-tests with effect sizes and confidence intervals, Wilcoxon "
         "signed-rank tests, multiplicity adjustment, reliability and reliable change. "
         f"Qualitative: {n_interviewed if n_interviewed is not None else MISSING} interviewed "
         f"parents; reflexive thematic analysis producing {n_themes} themes."),
        ("Where, how and by whom integration occurred",
         "At the interpretation level, in a statistics-by-themes joint display and a case-level "
         "joint display generated from the data by this pipeline; the links between themes and "
         "outcomes and the fit judgements were made by the researchers (recorded in the study "
         f"configuration){'; fit judgements: ' + ', '.join(fits) if fits else ''}."),
        ("Limitations of one method associated with the other",
         "Both strands rest on parents' own accounts given after the group, so they share "
         "recall and social-desirability biases; agreement between them is weaker corroboration "
         "than agreement between independent sources would be (see Limitations)."),
        ("Insights gained from mixing methods",
         "The researchers' notes in the joint display state what the combination shows that "
         "neither strand shows alone, including the discordant links listed above."
         if n_themes else "Not available: this site has no coded interviews to integrate."),
    ]
    rows = [[str(i), f"<strong>{html.escape(item)}</strong>", html.escape(answer)]
            for i, (item, answer) in enumerate(answers, start=1)]
    return _table(["#", "GRAMMS item", "In this report"], rows,
                  "Good Reporting of A Mixed Methods Study (O'Cathain, Murphy &amp; Nicholl 2008)")


# --------------------------------------------------------------------------- figures, appendix


def figure_html(figures: pd.DataFrame, name: str, figures_dir: Path | str) -> str:
    """One figure from figures.csv embedded as a base64 PNG with its caption and alt text."""
    if figures.empty or name not in set(figures["name"]):
        return missing_note(f"figure '{name}'")
    row = figures[figures["name"] == name].iloc[0]
    path = Path(figures_dir) / f"{name}.png"
    if not path.is_file():
        return missing_note(f"figure '{name}' (no PNG file)")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (
        f'<figure id="figure-{_esc(name)}" style="margin:1em 0">'
        f'<img src="data:image/png;base64,{data}" alt="{_esc(row["alt_text"])}" '
        'style="max-width:100%">'
        f"<figcaption><strong>{_esc(row['title'])}.</strong> {_esc(row['caption'])}"
        "</figcaption></figure>"
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
        parts.append(_table(["Input", "SHA-256"],
                            [[_esc(k), f"<code>{_esc(inputs[k])}</code>"]
                             for k in sorted(inputs)],
                            "Input checksums"))
    return "".join(parts)


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
        rows.append([_esc(labels.get(r.outcome, r.outcome)), format_count(r.k_sites, 0),
                     _esc(r.method),
                     f"{format_number(r.estimate)} {format_ci(r.ci_low, r.ci_high)}",
                     format_number(r.tau2, 3), format_i2(r.i2),
                     f"{format_number(r.q)} ({format_p(r.q_p)})",
                     format_ci(r.pi_low, r.pi_high)])
    return _table(["Outcome", "Sites", "Method", "Pooled estimate [95% CI]", "τ²", "I²",
                   "Q (p)", "95% prediction interval"], rows, "Pooled across sites")


def format_i2(i2: Any) -> str:
    """I² as a whole percentage. A value in [0, 1] is read as a proportion (statsmodels), a
    larger one as already in percent (metafor): ``format_i2(0.423) == format_i2(42.3) == "42%"``.
    """
    if _is_missing(i2):
        return MISSING
    value = float(i2)
    return f"{format_number(value * 100 if value <= 1 else value, 0)}%"


def pooled_limitations_html(k_sites: int) -> str:
    """What a pooled estimate from few small sites can and cannot say."""
    return (
        "<ul><li>With "
        f"{k_sites} site{'s' if k_sites != 1 else ''}, the between-site variance (τ²) and I² are "
        "estimated very imprecisely; the prediction interval, not the confidence interval, "
        "describes what a new site might expect.</li>"
        "<li>Every site shares the single-group, then-test design, so the pooled estimate "
        "inherits its recall and social-desirability biases (Hill &amp; Betz 2005; Nolte et al. "
        "2012) and has no control group.</li></ul>"
    )
