"""The pooled report's section on the one-stage mixed model (beside the meta-analysis).

Self-contained: :func:`multilevel_section_html` reads ``results/pooled/multilevel.csv``
(docs/data-contracts.md) and returns the section's HTML ("" when the file is absent), explaining
both approaches and flagging every outcome where they disagree.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from parentgroup.report.sections import format_ci, format_number, format_p

EXPLANATION = (
    "The meta-analysis above is <em>two-stage</em>: each site's effect is estimated first and "
    "the site estimates are then pooled, each weighted by its precision and the between-site "
    "variance. The <em>one-stage</em> model fits every parent's scores of every site at once "
    "(a linear mixed model: score by time, with random intercepts for sites and for parents "
    "within sites, REML), so it weights parents rather than sites, and it gives the share of "
    "the variance that lies between sites (the intraclass correlation, ICC). Both pool the "
    "mean change in score units here. With few or small sites, or a change that differs "
    "between sites, they can differ; an outcome where they disagree (opposite signs, or one "
    "interval excluding 0 and the other not) is flagged, and neither should then be read "
    "alone."
)


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
            format_p(r["p"]), format_number(r["icc_site"]),
            f"{format_number(r['two_stage_estimate'])} "
            f"{format_ci(r['two_stage_ci_low'], r['two_stage_ci_high'])}",
            "<strong>disagree</strong>" if agreement == "disagree" else html.escape(agreement),
        ])
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    note = (f"<p><strong>Note:</strong> the one-stage and two-stage estimates disagree for "
            f"{', '.join(flagged)}.</p>" if flagged else
            "<p>The one-stage and two-stage estimates agree for every outcome.</p>")
    return ("<h2>One-stage mixed model</h2>"
            f"<p>{EXPLANATION}</p>"
            '<table class="report-table"><caption>One-stage mixed model beside the two-stage '
            f"meta-analysis (mean change, post &minus; pre)</caption><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>{note}")
