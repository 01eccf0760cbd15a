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
# report in GRAMMS order. All wording and rounding live in parentgroup.report.sections; this notebook
# only reads and displays. Executed by parentgroup.report.runner.execute_integration_notebook and
# rendered to HTML without code.
from pathlib import Path

import yaml
from IPython.display import HTML, display

from parentgroup.report import sections as rt

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


def show_figures(section):
    for name in rt.figure_names_for_section(figures, section):
        display(HTML(rt.figure_html(figures, name, figures_dir)))


display(HTML(rt.banner_html(is_synthetic) + rt.title_html(config, site)))

# %%
display(HTML(rt.design_html(config, site)))

# %% [markdown]
# ## Sample and engagement

# %%
display(HTML(rt.flow_table_html(tables["participant_flow"], min_cell)))
display(HTML(rt.sample_description_html(participants, min_cell)))
display(
    HTML(
        rt.attendance_summary_html(
            participants,
            tables["attendance"],
            tables["engagement"],
            sessions=site_cfg.get("sessions"),
            completer_min_sessions=config.get("completer_min_sessions"),
            min_cell_size=min_cell,
        )
    )
)
show_figures("sample")

# %% [markdown]
# ## Quantitative results

# %%
confidence = float(config.get("analysis", {}).get("confidence_level", 0.95))
display(HTML(rt.outcome_table_html(paired, confidence)))
display(HTML(rt.apa_sentences_html(paired)))
show_figures("quantitative")
display(HTML("<h3>Reliability</h3>" + rt.reliability_table_html(tables["reliability"])))
display(
    HTML(
        "<h3>Reliable change</h3>"
        + rt.reliable_change_table_html(
            tables["reliable_change"], labels, min_cell, directions=directions
        )
    )
)
display(HTML("<h3>Sensitivity power</h3>" + rt.power_table_html(tables["power"], labels)))
display(
    HTML(
        "<h3>Sensitivity and dose-response analyses</h3>"
        + rt.sensitivity_table_html(tables["sensitivity"], labels)
        + rt.dose_response_table_html(tables["dose_response"], labels)
        + rt.response_shift_table_html(tables["response_shift"], labels)
    )
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

# %% [markdown]
# ## Qualitative results

# %%
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

# %% [markdown]
# ## Joint displays

# %%
lead_es = str(config.get("analysis", {}).get("lead_effect_size", "d_z"))
display(HTML(rt.joint_display_outcomes_html(tables["joint_display_outcomes"], lead_es)))
display(HTML(rt.joint_display_cases_html(tables["joint_display_cases"], labels, theme_names)))
show_figures("joint")

# %% [markdown]
# ## Discordance and limitations

# %%
display(HTML(rt.discordance_html(tables["themes"], tables["joint_display_outcomes"])))
display(
    HTML(
        rt.limitations_html(
            n_analysed=n_analysed,
            design=site_cfg.get("design", "retrospective"),
            has_interviews=has_interviews,
            has_attendance=has_attendance,
            p_adjust=str(config.get("analysis", {}).get("p_adjust", "holm")),
        )
    )
)

# %% [markdown]
# ## GRAMMS checklist

# %%
display(
    HTML(
        rt.gramms_html(
            config,
            site,
            n_analysed=n_analysed,
            n_interviewed=n_interviewed,
            themes=tables["themes"],
        )
    )
)

# %% [markdown]
# ## Reproducibility appendix

# %%
display(HTML(rt.provenance_html(rt.read_provenance(provenance_path))))
display(HTML("<h3>Configuration used</h3>" + rt.config_html(config_text)))
