"""The pooled report's sections on how the sites are pooled: the two-stage methods
(:func:`two_stage_methods_html`), the one-stage mixed model beside the meta-analysis
(:func:`multilevel_section_html`) and, with two or more controlled sites, the between-arm effect
pooled both ways (:func:`pooled_controlled_section_html`).

Self-contained: each reads its table of ``results/pooled/`` (docs/data-contracts.md) and returns
the section's HTML ("" when the file is absent), explaining both approaches and flagging every
outcome where they disagree. Fixed prose lives in templates/pooled_*.html.j2.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import pandas as pd
from markupsafe import Markup

from parentgroup.report.sections import format_ci, format_count, format_number, format_p
from parentgroup.report.templating import render

EXPLANATION = (
    "The meta-analysis above is <em>two-stage</em>: each site's effect is estimated first and "
    "the site estimates are then pooled, each weighted by its precision and the between-site "
    "variance. The <em>one-stage</em> model fits every parent's scores of every site at once "
    "(a linear mixed model: score by time, with random intercepts for sites and for parents "
    "within sites, REML), so it weights parents rather than sites, and it gives the share of "
    "the variance that lies between sites (the intraclass correlation, ICC). To compare like "
    "with like, both pool the mean change in score units here (the two-stage column is the "
    "REML pooling of each site's mean change, not the d<sub>z</sub> of the table above); both "
    "use the same parents as each site's paired analysis (its completers, of the intervention "
    "arm at a site with a comparison arm). With few or small sites, or a change that differs "
    "between sites, they can differ; an outcome where they disagree (opposite signs, or one "
    "interval excluding 0 and the other not) is flagged, and neither should then be read "
    "alone."
)
SLOPES = (" With random slopes the change may differ between sites too (a site-level variance "
          "of the change), which widens the one-stage interval when sites differ.")


def two_stage_methods_html(controlled: bool = False) -> str:
    """The paragraph before the meta-analysis table: what is pooled (d_z of the analysed
    parents), the tau^2 estimators, I^2, the prediction interval, and that a one-stage model
    follows (templates/pooled_methods.html.j2)."""
    return render("pooled_methods.html.j2", controlled=bool(controlled))


def multilevel_section_html(path: Path | str, labels: Mapping[str, str] | None = None) -> str:
    """The one-stage model section of the pooled report ("" without multilevel.csv)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return ""
    table = pd.read_csv(path)
    labels = labels or {}
    header = ["Outcome", "Sites", "Parents", "One-stage change [95% CI]", "p", "ICC (site)",
              "Two-stage change [95% CI]", "Agreement"]
    rows, flagged = [], []
    for r in table.to_dict("records"):
        label = html.escape(str(labels.get(r["outcome"], r["outcome"])))
        agreement = "" if pd.isna(r["agreement"]) else str(r["agreement"])
        if agreement == "disagree":
            flagged.append(label)
        rows.append([
            label, format_number(r["k_sites"], 0), format_number(r["n_parents"], 0),
            f"{format_number(r['estimate'])} {format_ci(r['ci_low'], r['ci_high'])}",
            format_p(r["p"]), format_number(r["icc_site"], bounded=True),
            f"{format_number(r['two_stage_estimate'])} "
            f"{format_ci(r['two_stage_ci_low'], r['two_stage_ci_high'])}",
            "<strong>disagree</strong>" if agreement == "disagree" else html.escape(agreement),
        ])
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    note = (f"<p><strong>Note:</strong> the one-stage and two-stage estimates disagree for "
            f"{', '.join(flagged)}.</p>" if flagged else
            "<p>The one-stage and two-stage estimates agree for every outcome.</p>")
    slopes = SLOPES if table["random_slopes"].astype(str).str.lower().eq("true").any() else ""
    return ("<h2>One-stage mixed model</h2>"
            f"<p>{EXPLANATION}{slopes}</p>"
            '<table class="report-table"><caption>One-stage mixed model beside the two-stage '
            f"meta-analysis (mean change, post &minus; pre)</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>{note}")


def pooled_controlled_section_html(path: Path | str,
                                   labels: Mapping[str, str] | None = None) -> str:
    """The pooled report's section on the controlled sites ("" without
    ``results/pooled/controlled.csv``, i.e. fewer than two sites with a comparison arm): per
    outcome the one-stage arm-by-time interaction with its CI and site ICC, the two-stage pooled
    interaction, ANCOVA difference and d_ppc2 with tau^2, and their agreement
    (templates/pooled_controlled.html.j2)."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return ""
    table = pd.read_csv(path)
    labels = labels or {}
    header = ["Outcome", "Sites", "Parents (intervention / comparison)",
              "One-stage arm &times; time [95% CI]", "p", "ICC (site)",
              "Two-stage arm &times; time [95% CI]", "τ²", "ANCOVA difference [95% CI]",
              "d<sub>ppc2</sub> [95% CI]", "Agreement"]
    rows, flagged = [], []
    for r in table.to_dict("records"):
        label = html.escape(str(labels.get(r["outcome"], r["outcome"])))
        agreement = "" if pd.isna(r["agreement"]) else str(r["agreement"])
        if agreement == "disagree":
            flagged.append(label)
        rows.append([
            label, format_number(r["k_sites"], 0),
            f"{format_count(r['n_intervention'], 0)} / {format_count(r['n_comparison'], 0)}",
            f"{format_number(r['estimate'])} {format_ci(r['ci_low'], r['ci_high'])}",
            format_p(r["p"]), format_number(r["icc_site"], bounded=True),
            f"{format_number(r['two_stage_estimate'])} "
            f"{format_ci(r['two_stage_ci_low'], r['two_stage_ci_high'])}",
            format_number(r["two_stage_tau2"], 3),
            f"{format_number(r['ancova_estimate'])} "
            f"{format_ci(r['ancova_ci_low'], r['ancova_ci_high'])}",
            f"{format_number(r['d_ppc2_estimate'])} "
            f"{format_ci(r['d_ppc2_ci_low'], r['d_ppc2_ci_high'])}",
            "<strong>disagree</strong>" if agreement == "disagree" else html.escape(agreement),
        ])
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    rendered = ('<table class="report-table"><caption>The between-arm effect across the '
                "controlled sites: one-stage beside two-stage (change = post &minus; pre; "
                f"intervention minus comparison)</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{body}</tbody></table>")
    k_sites = int(pd.concat([pd.to_numeric(table[c], errors="coerce")
                             for c in ("k_sites", "two_stage_k_sites")]).max())
    return render("pooled_controlled.html.j2", k_sites=k_sites, table=Markup(rendered),
                  flagged=", ".join(html.unescape(f) for f in flagged),
                  any_estimate=bool(table["agreement"].notna().any()))
