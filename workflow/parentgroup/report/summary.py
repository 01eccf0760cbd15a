"""The reader's structure of the report: key findings, contents, numbered tables and figures,
and the interpretive sentences computed from the tables (low reliability, missing data, what the
completer-vs-all sensitivity analysis changes, the qualitative methods).

Python computes; the words are in ``templates/`` (:mod:`parentgroup.report.templating`). Numbers
are formatted by :mod:`parentgroup.formatting`, counts of people under the one disclosure rule.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from markupsafe import Markup

from parentgroup.disclosure import flow_count, small_count
from parentgroup.formatting import (
    ALPHA,
    NBSP,
    P_ADJUST_NAMES,
    format_ci,
    format_number,
    is_missing,
    p_parts,
    statistically_significant,
    typeset,
)
from parentgroup.report.templating import phrase, render
from parentgroup.tables import as_bool

#: Internal consistency below this is flagged next to the result and in the limitations
#: (a common floor for research use of short scales; Nunnally's .70 is stricter still).
ALPHA_FLOOR = 0.60
#: The conventional significance level the sensitivity interpretation compares against.
ALPHA_LEVEL = ALPHA
#: Effect sizes as APA writes them: an italic d with its subscript.
EFFECT_SIZE_HTML = {"d_z": "<em>d</em><sub>z</sub>", "d_av": "<em>d</em><sub>av</sub>",
                    "d_rm": "<em>d</em><sub>rm</sub>", "g_av": "<em>g</em><sub>av</sub>"}
#: The report's sections in order: (anchor, heading).
SECTIONS = [
    ("key-findings", "Key findings"),
    ("method", "Method"),
    ("sample", "Sample and engagement"),
    ("quantitative", "Quantitative results"),
    ("qualitative", "Qualitative results"),
    ("joint", "Joint displays"),
    ("limitations", "Discordance and limitations"),
    ("gramms", "GRAMMS checklist"),
    ("references", "References"),
    ("appendix", "Reproducibility appendix"),
]
#: Every table the report can show, in document order, with the contract table it needs.
TABLE_ORDER = [
    ("qualitative_methods", None), ("flow", "participant_flow"), ("sample", "participants"),
    ("attendance", "attendance"), ("engagement", "engagement"), ("outcomes", "paired_tests"),
    ("assumptions", "paired_tests"), ("reliability", "reliability"),
    ("reliable_change", "reliable_change"), ("power", "power"), ("sensitivity", "sensitivity"),
    ("dose_response", "dose_response"), ("response_shift", "response_shift"),
    ("joint_links", "joint_display_links"),
    ("joint_outcomes", "joint_display_outcomes"), ("joint_cases", "joint_display_cases"),
    ("discordant_cases", "discordant_cases"),
    ("gramms", None),
]
#: The qualitative-methods fields of config sites.<site>.qualitative_methods, with their labels.
QUALITATIVE_FIELDS = [
    ("interviewer", "Who interviewed"),
    ("interview_guide", "Interview guide"),
    ("setting", "Where and when"),
    ("transcription", "Transcription"),
    ("analysts", "Who analysed"),
    ("analysis_approach", "Analysis"),
    ("reflexivity", "Reflexivity"),
]


# --------------------------------------------------------------------------- numbering


@dataclass
class Numbering:
    """Table and figure numbers in document order, assigned before any section is shown, so the
    key findings can refer forward (APA: numbered in the order they appear).

    >>> n = Numbering(tables=["flow", "outcomes"], figures=["effect_sizes"])
    >>> n.table("outcomes"), n.figure("effect_sizes")
    ('Table 2', 'Figure 1')
    >>> str(n.ref_table("flow"))
    '<a href="#table-flow">Table 1</a>'
    """

    tables: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    def table(self, key: str) -> str:
        return f"Table {self.tables.index(key) + 1}"

    def figure(self, name: str) -> str:
        return f"Figure {self.figures.index(name) + 1}"

    def ref_table(self, key: str) -> Markup:
        """A link to a table, or plain words when the table is not in this report."""
        if key not in self.tables:
            return Markup("a table not produced for this site")
        return Markup(f'<a href="#table-{html.escape(key)}">{self.table(key)}</a>')

    def ref_figure(self, name: str) -> Markup:
        if name not in self.figures:
            return Markup("")
        return Markup(f'<a href="#figure-{html.escape(name)}">{self.figure(name)}</a>')

    def apply(self, page: str, *keys: str) -> str:
        """Number the tables of an HTML fragment: the i-th captioned ``<table>`` gets
        ``keys[i]``'s number. Its caption becomes APA's two-line label above the table (bold
        number, italic title) in a paragraph the table is labelled by, outside the scrolling
        box (so it stays in view on a phone and with its table on paper). Tables without a
        caption (or beyond ``keys``) are left as they are.

        >>> page = '<table class="t"><caption>Flow</caption></table>'
        >>> out = Numbering(tables=["flow"]).apply(page, "flow")
        >>> out.split("</span>")[0]
        '<p class="table-label" id="table-flow"><span class="label">Table 1'
        >>> out.split("</p>")[1]
        '<table aria-labelledby="table-flow" class="t"></table>'
        """
        remaining = list(keys)

        def number(match: re.Match) -> str:
            if not remaining:
                return match.group(0)
            key = remaining.pop(0)
            if key not in self.tables:
                return match.group(0)
            anchor = f"table-{html.escape(key)}"
            label = (f'<p class="table-label" id="{anchor}"><span class="label">'
                     f'{self.table(key)}</span> <span class="title">{match.group(3)}</span></p>')
            return (f'{label}{match.group(1) or ""}<table aria-labelledby="{anchor}"'
                    f"{match.group(2)}>")

        return re.sub(r'(<div class="table-scroll">)?<table((?:\s[^>]*)?)><caption>(.*?)'
                      r"</caption>", number, page, flags=re.S)


def report_numbering(tables: Any, figure_names: Sequence[str], *,
                     has_engagement_table: bool | None = None) -> Numbering:
    """The numbers of this site's report: a table is numbered when its contract table is there
    (``tables`` is a :class:`parentgroup.report.sections.ReportTables`)."""
    keys = []
    for key, source in TABLE_ORDER:
        if source is None or tables.has(source):
            keys.append(key)
    if has_engagement_table is False and "engagement" in keys:
        keys.remove("engagement")
    if "joint_links" in keys and "joint_outcomes" in keys:
        keys.remove("joint_outcomes")  # the per-link display replaces the per-outcome one
    return Numbering(tables=keys, figures=list(figure_names))


def contents_html(present: Sequence[str] | None = None) -> str:
    """The contents list (every section, or those whose anchor is in ``present``)."""
    entries = [(a, t) for a, t in SECTIONS if present is None or a in present]
    return render("contents.html.j2", entries=entries[1:])


def heading_html(anchor: str) -> str:
    """A section heading with its anchor (the contents list links to it)."""
    return render("heading.html.j2", anchor=anchor, title=dict(SECTIONS)[anchor])


# --------------------------------------------------------------------------- interpretation


def p_html(p: Any) -> Markup:
    """``<em>p</em> = .053`` (HTML, italic symbol); missing -> ``<em>p</em> not available``.

    The relation is joined by no-break spaces, so ``p = .053`` never breaks across lines.

    >>> str(p_html(0.0528)) == "<em>p</em>\u00a0=\u00a0.053"
    True
    >>> str(p_html(0.0001)) == "<em>p</em>\u00a0&lt;\u00a0.001"
    True
    """
    parts = p_parts(p)
    if parts is None:
        return Markup("<em>p</em> not available")
    return Markup(f"<em>p</em>{NBSP}{html.escape(parts[0])}{NBSP}{parts[1]}")


def magnitude(d: float) -> str:
    """Cohen's (1988) words for a standardised change: negligible < .2 <= small < .5 <= medium
    < .8 <= large (absolute value).

    >>> magnitude(-1.34), magnitude(0.63), magnitude(0.1)
    ('large', 'medium', 'negligible')
    """
    size = abs(float(d))
    if size >= 0.8:
        return "large"
    if size >= 0.5:
        return "medium"
    if size >= 0.2:
        return "small"
    return "negligible"


def change_words(row: Mapping[str, Any]) -> str:
    """Plain words for one outcome's change, from its sign, its direction of improvement
    (``improved_direction_sign``: 1 higher is better, -1 lower is better, 0 mid-range optimal),
    its effect size and whether it is statistically significant
    (:func:`parentgroup.formatting.statistically_significant`: the adjusted p below .05 and the
    effect size's CI excluding 0). A change that is not is never called a rise or a fall: its
    estimate only "favours" one.

    >>> change_words({"mean_change": -0.88, "lead_es": -1.34, "improved_direction_sign": -1})
    'fell, a large change in the direction of improvement'
    >>> change_words({"mean_change": -0.36, "lead_es": -0.63, "improved_direction_sign": 0,
    ...               "p": 0.01, "p_adjusted": 0.02})
    'fell, a medium change on a scale where neither direction is in itself improvement'
    >>> change_words({"mean_change": 0.2, "lead_es": 0.3, "improved_direction_sign": -1})
    'rose, a small change in the direction of deterioration'
    >>> change_words({"mean_change": -0.36, "lead_es": -0.63, "improved_direction_sign": 0,
    ...               "p": 0.053, "p_adjusted": 0.053, "lead_es_ci_low": -1.24,
    ...               "lead_es_ci_high": 0.01}) # doctest: +NORMALIZE_WHITESPACE
    'no statistically significant change; the estimate, a medium effect, favours a fall, on a
    scale where neither direction is in itself improvement'
    """
    change = float(row["mean_change"])
    verb = "rose" if change > 0 else ("fell" if change < 0 else "none")
    sign = row.get("improved_direction_sign")
    sign = 0 if is_missing(sign) else int(float(sign))
    towards = "none" if sign == 0 else (
        "improvement" if (change > 0) == (sign > 0) else "deterioration")
    significant = statistically_significant(row) is not False
    return phrase("change_words", verb=verb, size=magnitude(row["lead_es"]), towards=towards,
                  significant=significant)


def low_alpha_scales(reliability: pd.DataFrame, paired: pd.DataFrame,
                     floor: float = ALPHA_FLOOR) -> dict[str, list[str]]:
    """Per outcome id, the times whose Cronbach's alpha is below ``floor`` ("then: .30").

    Reliability rows are matched to outcomes by instrument and scale."""
    flags: dict[str, list[str]] = {}
    if reliability.empty or paired.empty:
        return flags
    for r in paired.to_dict("records"):
        rows = reliability[(reliability["instrument"] == r["instrument"])
                           & (reliability["scale"] == r["scale"])]
        for rel in rows.to_dict("records"):
            alpha = rel.get("alpha")
            if not is_missing(alpha) and float(alpha) < floor:
                flags.setdefault(r["outcome"], []).append(
                    f"{rel['time']}: α = {format_number(alpha, bounded=True)}")
    return flags


def sensitivity_changes(sensitivity: pd.DataFrame, labels: Mapping[str, str],
                        alpha: float = ALPHA_LEVEL) -> list[str]:
    """Sentences for every outcome whose conclusion differs between completers and all parents
    with data: the change reverses sign, or the p value falls on the other side of ``alpha``."""
    if sensitivity.empty:
        return []
    out = []
    for outcome, rows in sensitivity.groupby("outcome", sort=False):
        by = {r["sample"]: r for r in rows.to_dict("records")}
        comp, every = by.get("completers"), by.get("all_with_data")
        if comp is None or every is None:
            continue
        if is_missing(comp["mean_change"]) or is_missing(every["mean_change"]):
            continue  # withheld by the differencing rule (or not estimable): nothing to compare
        label = labels.get(outcome, outcome)
        words = {"label": label, "alpha": str(alpha).lstrip("0"), "stronger": "",
                 "p_stronger": "", "weaker": "", "p_weaker": ""}
        if (float(comp["mean_change"]) > 0) != (float(every["mean_change"]) > 0):
            out.append(phrase("sensitivity_change", kind="reverses", **words))
            continue
        sig_c = not is_missing(comp["p"]) and float(comp["p"]) < alpha
        sig_a = not is_missing(every["p"]) and float(every["p"]) < alpha
        if sig_c != sig_a:
            words.update(
                stronger="all parents with data" if sig_a else "completers only",
                weaker="completers only" if sig_a else "all parents with data",
                p_stronger=_plain_p(every if sig_a else comp),
                p_weaker=_plain_p(comp if sig_a else every))
            out.append(phrase("sensitivity_change", kind="significance", **words))
    return out


@dataclass
class SensitivityComparison:
    """What the completers-against-all-with-data table lets the report say, per outcome label:
    ``compared`` (both rows have numbers), ``withheld`` (the all-with-data or completers row is
    withheld by the differencing rule: it adds fewer than ``min_cell_size`` parents), and
    ``changes`` (:func:`sensitivity_changes`, sentences for the compared outcomes whose
    conclusion differs)."""

    compared: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def every_outcome_compared(self) -> bool:
        return bool(self.compared) and not self.withheld


def sensitivity_comparison(sensitivity: pd.DataFrame, labels: Mapping[str, str],
                           min_cell_size: int = 3,
                           alpha: float = ALPHA_LEVEL) -> SensitivityComparison:
    """Which outcomes the sensitivity table compares and which it withholds (see
    :class:`SensitivityComparison`). Only a comparison that was made can support "changes no
    conclusion"; a withheld row supports nothing either way.

    >>> t = pd.DataFrame({"outcome": ["a", "a"], "sample": ["completers", "all_with_data"],
    ...                   "n_pairs": [12, 13], "mean_change": [1.0, None], "p": [.01, None]})
    >>> c = sensitivity_comparison(t, {"a": "A"})
    >>> c.compared, c.withheld, c.every_outcome_compared
    ([], ['A'], False)
    """
    found = SensitivityComparison(changes=sensitivity_changes(sensitivity, labels, alpha))
    if sensitivity.empty:
        return found
    for outcome, rows in sensitivity.groupby("outcome", sort=False):
        by = {r["sample"]: r for r in rows.to_dict("records")}
        comp, every = by.get("completers"), by.get("all_with_data")
        if comp is None or every is None:
            continue
        label = labels.get(outcome, outcome)
        if is_missing(comp["mean_change"]) or is_missing(every["mean_change"]):
            found.withheld.append(label)
        else:
            found.compared.append(label)
    return found


def sensitivity_caveats(sensitivity: pd.DataFrame, labels: Mapping[str, str],
                        min_cell_size: int = 3) -> list[str]:
    """The sensitivity analysis among the caveats and limitations: a sentence for each changed
    conclusion, and one saying the comparison is withheld where it is."""
    found = sensitivity_comparison(sensitivity, labels, min_cell_size)
    out = list(found.changes)
    if found.withheld:
        out.append(phrase("sensitivity_withheld", which=_outcomes_text(found, labels),
                          min_cell_size=min_cell_size))
    return out


def _outcomes_text(found: SensitivityComparison, labels: Mapping[str, str]) -> str:
    """"any outcome" when every outcome of the table is withheld, else their labels."""
    if not found.compared:
        return "any outcome"
    return ", ".join(found.withheld)


def _plain_p(row: Mapping[str, Any]) -> str:
    parts = p_parts(row["p"])
    return "p not available" if parts is None else f"p {parts[0]} {parts[1]}"


def proration_counts(scores: pd.DataFrame, labels_by_scale: Mapping[tuple[str, str], str],
                     min_cell_size: int) -> tuple[list[dict], list[dict]]:
    """Prorated and missing scale scores per scale and time from scores.csv, as counts of
    parents under the disclosure rule: ``([{"label", "time", "n"}], [...missing...])``."""
    if scores.empty or "prorated" not in scores.columns:
        return [], []
    prorated, missing = [], []
    for (instrument, scale, time), rows in scores.groupby(["instrument", "scale", "time"],
                                                          sort=True):
        label = labels_by_scale.get((instrument, scale))
        if label is None:
            continue
        n_pro = int(as_bool(rows["prorated"]).sum())
        n_mis = int(pd.to_numeric(rows["score"], errors="coerce").isna().sum())
        if n_pro:
            prorated.append({"label": label, "time": time,
                             "n": small_count(n_pro, min_cell_size)})
        if n_mis:
            missing.append({"label": label, "time": time,
                            "n": small_count(n_mis, min_cell_size)})
    return prorated, missing


# --------------------------------------------------------------------------- sections


def key_findings_html(*, config: Mapping[str, Any], site: str, paired: pd.DataFrame,
                      participants: pd.DataFrame, themes: pd.DataFrame,
                      reliability: pd.DataFrame, sensitivity: pd.DataFrame,
                      numbering: Numbering, n_interviewed: int | None,
                      min_cell_size: int) -> str:
    """The plain-language summary at the top: what was done, for whom, the main changes with
    the lead effect size and CI, what parents said, and the main caveats."""
    study = config.get("study", {})
    site_cfg = config.get("sites", {}).get(site, {})
    design = site_cfg.get("design", "retrospective")
    analysis = config.get("analysis", {})
    level = f"{round(float(analysis.get('confidence_level', 0.95)) * 100):d}%"
    lead = str(analysis.get("lead_effect_size", "d_z"))
    labels = dict(zip(paired["outcome"], paired["label"], strict=True)) if not paired.empty \
        else {}
    flags = low_alpha_scales(reliability, paired)
    findings = []
    for r in paired.to_dict("records"):
        if is_missing(r.get("lead_es")):
            continue
        caveat = ""
        if r["outcome"] in flags:
            caveat = (f"Low reliability ({'; '.join(flags[r['outcome']])}): read with "
                      "caution.")
        method = str(analysis.get("p_adjust", "holm"))
        adjusted = not is_missing(r.get("p_adjusted")) and method != "none"
        p_value = r["p_adjusted"] if adjusted else r["p"]
        findings.append({
            "label": r["label"], "words": change_words(r),
            "es": typeset(format_number(r["lead_es"])),
            "ci": typeset(format_ci(r["lead_es_ci_low"], r["lead_es_ci_high"])),
            "p": (Markup(f"{P_ADJUST_NAMES.get(method, method)}-adjusted ") if adjusted
                  else Markup("")) + p_html(p_value),
            "caveat": caveat,
        })
    n_completers = None
    if not participants.empty and "completer" in participants.columns:
        n_completers = flow_count(int(as_bool(participants["completer"]).sum()))
    n_analysed = int(paired["n_pairs"].max()) if not paired.empty else None
    caveats = Markup(render(
        "key_findings_caveats.html.j2", n_analysed=n_analysed, design=design,
        low_alpha=[(labels.get(o, o), "; ".join(w)) for o, w in flags.items()],
        sensitivity=sensitivity_caveats(sensitivity, labels, min_cell_size),
        interviewed=n_interviewed,
        completers_only=interviewed_completers_only(participants)))
    return render(
        "key_findings.html.j2",
        intervention=study.get("intervention") or "The intervention is not described.",
        sessions=site_cfg.get("sessions"), completer_min=config.get("completer_min_sessions"),
        instruments=", ".join(str(i).upper() for i in config.get("instruments", [])),
        design=design, has_interviews=not themes.empty,
        n_enrolled=len(participants), n_completers=n_completers, n_analysed=n_analysed,
        n_interviewed=n_interviewed, findings=findings, level=level,
        es_html=Markup(EFFECT_SIZE_HTML.get(lead, html.escape(lead))),
        outcomes_ref=numbering.ref_table("outcomes"),
        effects_ref=numbering.ref_figure("effect_sizes"),
        themes=list(themes["name"]) if not themes.empty else [],
        themes_ref=Markup('<a href="#qualitative">Qualitative results</a>'), caveats=caveats,
    )


def interviewed_completers_only(participants: pd.DataFrame) -> bool:
    """True when every interviewed parent is a completer (and someone was interviewed)."""
    if participants.empty or not {"interviewed", "completer"} <= set(participants.columns):
        return False
    interviewed = as_bool(participants["interviewed"])
    return bool(interviewed.any() and as_bool(participants["completer"])[interviewed].all())


def qualitative_methods_html(config: Mapping[str, Any], site: str, *,
                             participants: pd.DataFrame, n_interviewed: int | None,
                             numbering: Numbering) -> str:
    """Who interviewed, the guide, transcription, who analysed, reflexivity: from config
    ``sites.<site>.qualitative_methods``; an empty field reads "not stated"."""
    given = config.get("sites", {}).get(site, {}).get("qualitative_methods") or {}
    fields = [(label, str(given.get(key) or "").strip()) for key, label in QUALITATIVE_FIELDS]
    page = render("methods_qualitative.html.j2", fields=fields, n_interviewed=n_interviewed,
                  interviewed_completers_only=interviewed_completers_only(participants))
    page = page.replace('<table class="report-table methods">',
                        '<table class="report-table methods"><caption>How the interviews were '
                        "conducted and analysed</caption>", 1)
    return numbering.apply(page, "qualitative_methods")


def reliable_change_sources(reliable_change: pd.DataFrame | None,
                            paired: pd.DataFrame) -> list[dict]:
    """Per outcome (paired_tests order), the reliability and SD_pre the RCI used, with their n
    or their published source: ``[{"label", "text"}]`` for the methods sentence.

    >>> rc = pd.DataFrame({"outcome": ["pm"], "reliability": [0.9015], "reliability_n": [11],
    ...     "sd_pre": [0.944], "sd_pre_n": [12],
    ...     "reliability_source": ["sample alpha at then and SD_pre, both of the 12 pairs"]})
    >>> reliable_change_sources(rc, pd.DataFrame({"outcome": ["pm"], "label": ["PM"]}))
    [{'label': 'PM', 'text': 'α = .90 (n = 11), SD = 0.94 (n = 12)'}]
    """
    if reliable_change is None or reliable_change.empty or paired.empty:
        return []
    out = []
    for row in paired.to_dict("records"):
        mine = reliable_change[reliable_change["outcome"] == row["outcome"]]
        if mine.empty:
            continue
        first = mine.iloc[0]
        source = str(first.get("reliability_source", ""))
        r, sd = first.get("reliability"), first.get("sd_pre")
        if is_missing(r) or is_missing(sd):
            values = f"not computed ({source})"
        elif source.startswith("published"):
            values = (f"r = {format_number(r).replace('0.', '.', 1)}, SD = {format_number(sd)} "
                      f"({source})")
        else:
            r_n, sd_n = first.get("reliability_n"), first.get("sd_pre_n")
            values = (f"α = {format_number(r).replace('0.', '.', 1)}"
                      + ("" if is_missing(r_n) else f" (n = {int(r_n)})")
                      + f", SD = {format_number(sd)}"
                      + ("" if is_missing(sd_n) else f" (n = {int(sd_n)})"))
            if " and SD_pre, both of the " not in source:  # not the analysed pairs: say whence
                values += f" ({source})"
        out.append({"label": str(row["label"]), "text": values})
    return out


def reliable_change_basis(reliable_change: pd.DataFrame | None) -> str:
    """Where every outcome's RCI took r_xx and SD_pre from: "pairs" (both from the analysed
    pairs), "published" (both published), else "mixed" (each outcome's source is named)."""
    if reliable_change is None or reliable_change.empty:
        return "mixed"
    sources = [str(x) for x in reliable_change["reliability_source"]]
    if all(" and SD_pre, both of the " in x for x in sources):
        return "pairs"
    if all(x.startswith("published: ") and "not configured" not in x for x in sources):
        return "published"
    return "mixed"


def quantitative_methods_html(config: Mapping[str, Any], *, paired: pd.DataFrame,
                              scores: pd.DataFrame, numbering: Numbering,
                              min_cell_size: int,
                              reliable_change: pd.DataFrame | None = None) -> str:
    """How the outcomes were tested and how missing items and scores were handled; with
    ``reliable_change``, which reliability and SD_pre the reliable change index used."""
    analysis = config.get("analysis", {})
    level = f"{round(float(analysis.get('confidence_level', 0.95)) * 100):d}%"
    lead = str(analysis.get("lead_effect_size", "d_z"))
    method = str(analysis.get("p_adjust", "holm"))
    alternative = {"two-sided": "two-sided", "greater": "one-sided, in the direction of "
                   "improvement", "less": "one-sided, in the direction of improvement"}
    labels_by_scale = {}
    if not paired.empty:
        labels_by_scale = {(r["instrument"], r["scale"]): r["label"]
                           for r in paired.to_dict("records")}
    prorated, missing = proration_counts(scores, labels_by_scale, min_cell_size)
    rule = Markup(render("missing_rule.html.j2", scores_available=not scores.empty))
    return render(
        "methods_quantitative.html.j2",
        alternative=alternative.get(str(analysis.get("alternative", "two-sided")), "two-sided"),
        es_name_html=Markup(EFFECT_SIZE_HTML.get(lead, html.escape(lead))), level=level,
        p_adjust_name=P_ADJUST_NAMES.get(method, method), n_outcomes=len(paired),
        nonparametric_ref=numbering.ref_table("assumptions"), alpha_floor=".60",
        missing_rule=rule, prorated=prorated, missing_scores=missing,
        prorated_ref=Markup("parents per scale and time"), min_cell_size=min_cell_size,
        rc_basis=reliable_change_basis(reliable_change),
        rc_sources=reliable_change_sources(reliable_change, paired),
    )
