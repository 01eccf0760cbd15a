# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% tags=["parameters"]
site = "fixture"
results_dir = "tests/fixtures/report_site/results"
processed_dir = "tests/fixtures/report_site/processed"
config_path = "tests/fixtures/report_site/config.yaml"
synthetic = "true"
provenance_path = "tests/fixtures/report_site/provenance.json"

# %%
# The integration notebook: reads the contract tables of one site and displays the mixed-methods
# report: key findings and contents first, then the method and the results in GRAMMS order. Numbers
# come from the tables; the words are in parentgroup/report/templates, the rounding in
# parentgroup.formatting; this notebook only reads and displays. Executed by parentgroup.report.runner.execute_integration_notebook and
# rendered to HTML without code.
from pathlib import Path

import yaml
from IPython.display import HTML, display

from parentgroup.report import sections as rt
from parentgroup.report import summary as rs

config_text = Path(config_path).read_text(encoding="utf-8")
config = yaml.safe_load(config_text)
is_synthetic = str(synthetic).strip().lower() in {"true", "1", "yes"}
site_cfg = config.get("sites", {}).get(site, {})
min_cell = int(config.get("analysis", {}).get("min_cell_size", 3))
tables = rt.read_report_tables(results_dir, processed_dir)
figures = tables["figures"]
figures_dir = Path(results_dir) / "figures"
paired = tables["paired_tests"]
labels = (
    dict(zip(paired["outcome"], paired["label"], strict=True))
    if not paired.empty
    else {o["id"]: o["id"] for o in config.get("outcomes", [])}
)
directions = (
    dict(zip(paired["outcome"], paired["direction"], strict=True))
    if "direction" in paired
    else {}
)
theme_names = (
    dict(zip(tables["themes"]["theme_id"], tables["themes"]["name"], strict=True))
    if tables.has("themes")
    else {}
)
participants = tables["participants"]
n_interviewed = (
    int(participants["interviewed"].astype(str).str.lower().isin({"true", "1"}).sum())
    if not participants.empty and "interviewed" in participants.columns
    else None
)
n_analysed = int(paired["n_pairs"].max()) if not paired.empty else None
has_interviews = tables.has("themes")
has_attendance = tables.has("attendance")


scores_frame = tables["scores"]
labels_by_scale = (
    {(r["instrument"], r["scale"]): r["label"] for r in paired.to_dict("records")}
    if not paired.empty
    else {}
)
figure_order = [
    name
    for section in ("sample", "quantitative", "joint")
    for name in rt.figure_names_for_section(figures, section)
]
numbering = rs.report_numbering(
    tables, figure_order, has_engagement_table=tables.has("engagement")
)
reliability = tables["reliability"]
low_alpha = rs.low_alpha_scales(reliability, paired)
low_alpha_text = [f"{labels.get(o, o)} ({'; '.join(w)})" for o, w in low_alpha.items()]
sensitivity_changes = rs.sensitivity_caveats(tables["sensitivity"], labels, min_cell)


def show_figures(section):
    for name in rt.figure_names_for_section(figures, section):
        display(HTML(rt.figure_html(figures, name, figures_dir, numbering.figure(name))))


def show(page, *keys):
    display(HTML(numbering.apply(page, *keys)))


display(HTML(rt.title_html(config, site, is_synthetic)))
display(
    HTML(
        rs.key_findings_html(
            config=config,
            site=site,
            paired=paired,
            participants=participants,
            themes=tables["themes"],
            reliability=reliability,
            sensitivity=tables["sensitivity"],
            numbering=numbering,
            n_interviewed=n_interviewed,
            min_cell_size=min_cell,
        )
    )
)
display(HTML(rs.contents_html()))

# %%
display(HTML(rs.heading_html("method")))
display(HTML(rt.design_html(config, site)))
display(
    HTML(
        rs.quantitative_methods_html(
            config, paired=paired, scores=scores_frame, numbering=numbering, min_cell_size=min_cell,
            reliable_change=tables["reliable_change"],
        )
    )
)
display(
    HTML(
        rs.qualitative_methods_html(
            config, site, participants=participants, n_interviewed=n_interviewed,
            numbering=numbering,
        )
    )
)

# %%
display(HTML(rs.heading_html("sample")))
show(rt.flow_table_html(tables["participant_flow"], min_cell, paired=paired), "flow")
show(rt.sample_description_html(participants, min_cell), "sample")
show(
    rt.attendance_summary_html(
        participants,
        tables["attendance"],
        tables["engagement"],
        sessions=site_cfg.get("sessions"),
        completer_min_sessions=config.get("completer_min_sessions"),
        min_cell_size=min_cell,
        labels=labels,
    ),
    *(["attendance"] if has_attendance else []),
    "engagement",
)
show_figures("sample")
if tables.has("invitation_flow"):
    # the parents' journey: invitation, retention and goal-based outcomes (optional site files)
    from parentgroup.report.staff_summary import journey_section_html  # noqa: E402

    display(
        HTML(
            journey_section_html(
                tables["invitation_flow"],
                tables["retention"],
                tables["goal_summary"],
                threshold=int(config.get("journey", {}).get("meaningful_goal_change", 3)),
                decline_barriers=tables["decline_barriers"],
            ).replace("<h2>", "<h3>").replace("</h2>", "</h3>")
        )
    )

# %%
display(HTML(rs.heading_html("quantitative")))
confidence = float(config.get("analysis", {}).get("confidence_level", 0.95))
show(rt.outcome_table_html(paired, confidence, reliability), "outcomes")
display(HTML(rt.apa_sentences_html(paired)))
show(rt.assumptions_table_html(paired), "assumptions")
show_figures("quantitative")
show("<h3>Reliability</h3>" + rt.reliability_table_html(reliability, labels_by_scale), "reliability")
show(
    "<h3>Reliable change</h3>"
    + rt.reliable_change_table_html(
        tables["reliable_change"], labels, min_cell, directions=directions
    ),
    "reliable_change",
)
show("<h3>Sensitivity power</h3>" + rt.power_table_html(tables["power"], labels), "power")
show(
    "<h3>Sensitivity and dose-response analyses</h3>"
    + rt.sensitivity_table_html(tables["sensitivity"], labels)
    + rt.sensitivity_note_html(tables["sensitivity"], labels, min_cell)
    + rt.dose_response_table_html(tables["dose_response"], labels)
    + rt.response_shift_table_html(tables["response_shift"], labels),
    "sensitivity",
    "dose_response",
    "response_shift",
)

# %%
# A controlled site (roster column arm): the arms compared; a site with several informants: their
# agreement (nothing for a single-group, single-informant site)
from parentgroup.report.controlled import (  # noqa: E402
    controlled_section_html,
    informant_section_html,
)

display(HTML(controlled_section_html(results_dir, confidence, min_cell)))
display(HTML(informant_section_html(results_dir, labels)))

# %%
display(HTML(rs.heading_html("qualitative")))
display(
    HTML(
        rt.theme_sections_html(
            tables["themes"],
            tables["quotes"],
            quotes_per_theme=int(config.get("report", {}).get("quotes_per_theme", 2)),
            min_cell_size=min_cell,
            n_interviewed=n_interviewed,
        )
    )
)

# %%
display(HTML(rs.heading_html("joint")))
lead_es = str(config.get("analysis", {}).get("lead_effect_size", "d_z"))
if tables.has("joint_display_links"):
    show(
        rt.joint_display_links_html(tables["joint_display_links"], lead_es, min_cell),
        "joint_links",
    )
else:
    show(
        rt.joint_display_outcomes_html(tables["joint_display_outcomes"], lead_es),
        "joint_outcomes",
    )
show(rt.joint_display_cases_html(tables["joint_display_cases"], labels, theme_names), "joint_cases")
if tables.has("discordant_cases"):
    show(rt.discordant_cases_html(tables["discordant_cases"]), "discordant_cases")
show_figures("joint")

# %%
display(HTML(rs.heading_html("limitations")))
display(HTML(rt.discordance_html(tables["themes"], tables["joint_display_outcomes"],
                                 tables["joint_display_links"])))
display(
    HTML(
        rt.limitations_html(
            n_analysed=n_analysed,
            design=site_cfg.get("design", "retrospective"),
            has_interviews=has_interviews,
            has_attendance=has_attendance,
            p_adjust=str(config.get("analysis", {}).get("p_adjust", "holm")),
            low_alpha=low_alpha_text,
            sensitivity_changes=sensitivity_changes,
            interviewed_completers_only=rs.interviewed_completers_only(participants),
            power_ref=str(numbering.ref_table("power")),
        )
    )
)

# %%
display(HTML(rs.heading_html("gramms")))
show(
    rt.gramms_html(
        config,
        site,
        n_analysed=n_analysed,
        n_interviewed=n_interviewed,
        themes=tables["themes"],
        links=tables["joint_display_links"],
    ),
    "gramms",
)

# %%
display(HTML(rs.heading_html("references")))
display(HTML(rt.references_html()))

# %%
display(HTML(rs.heading_html("appendix")))
display(HTML(rt.provenance_html(rt.read_provenance(provenance_path))))
# on paper the input checksums and the configuration (several pages) are left to the HTML report
display(
    HTML(
        '<p class="print-only">The input checksums and the configuration used are in the '
        "HTML report.</p>"
        '<div class="print-omit"><h3>Configuration used</h3>' + rt.config_html(config_text) + "</div>"
    )
)
