# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% tags=["parameters"]
sites = "fixture"
results_root = "tests/fixtures/report_site/pooled_results"
config_yaml = "{}"
synthetic = "true"

# %%
# The pooled report: per-site results beside the random-effects meta-analysis. Wording and
# rounding live in parentgroup.report.sections; this notebook only reads and displays.
import html
import platform
from pathlib import Path

import pandas as pd
import yaml
from IPython.display import HTML, display

from parentgroup.report import sections as rt
from parentgroup.report.provenance import git_commit, package_versions

config = yaml.safe_load(config_yaml) or {}
site_names = sorted(s for s in sites.split(",") if s)
root = Path(results_root)
paired = {}
for name in site_names:
    path = root / name / "paired_tests.csv"
    if path.is_file():
        paired[name] = pd.read_csv(path, keep_default_na=True)
labels = {}
for frame in paired.values():
    labels.update(dict(zip(frame["outcome"], frame["label"], strict=True)))
meta_path = root / "pooled" / "meta_analysis.csv"
meta = pd.read_csv(meta_path) if meta_path.is_file() else pd.DataFrame()
figures_dir = root / "pooled" / "figures"
figures_csv = figures_dir / "figures.csv"
figures = pd.read_csv(figures_csv) if figures_csv.is_file() else pd.DataFrame()
title = config.get("study", {}).get("title", "Parent learning group evaluation")
display(
    HTML(
        rt.banner_html(synthetic.strip().lower() in {"true", "1", "yes"})
        + f"<h1>{html.escape(title)}: pooled across sites</h1>"
        + f"<p><strong>Sites:</strong> {html.escape(', '.join(site_names))}</p>"
    )
)

# %% [markdown]
# ## Results per site

# %%
display(HTML(rt.site_effects_table_html(paired)))

# %% [markdown]
# ## Random-effects meta-analysis

# %%
from parentgroup.report.multilevel import two_stage_methods_html  # noqa: E402

controlled_csv = root / "pooled" / "controlled.csv"
display(HTML(two_stage_methods_html(controlled=controlled_csv.is_file())))
display(HTML(rt.meta_analysis_table_html(meta, labels)))
for name in [] if figures.empty else list(figures["name"]):
    display(HTML(rt.figure_html(figures, name, figures_dir)))

# %%
# One-stage mixed model beside the two-stage meta-analysis (parentgroup.report.multilevel)
from parentgroup.report.multilevel import multilevel_section_html  # noqa: E402

display(HTML(multilevel_section_html(root / "pooled" / "multilevel.csv", labels)))

# %%
# Two or more sites with a comparison arm: the between-arm effect pooled both ways
from parentgroup.report.multilevel import pooled_controlled_section_html  # noqa: E402

display(HTML(pooled_controlled_section_html(controlled_csv, labels)))

# %% [markdown]
# ## Limitations

# %%
designs = [entry.get("design", "") for entry in config.get("sites", {}).values()]
display(HTML(rt.pooled_limitations_html(len(site_names), designs=designs,
                                        controlled=controlled_csv.is_file())))

# %% [markdown]
# ## Reproducibility appendix

# %%
versions = package_versions()
display(
    HTML(
        rt.provenance_html(
            {
                "git_commit": git_commit(),
                "python": platform.python_version(),
                "packages": versions,
                "inputs": {},
            }
        )
        + "<h3>Configuration used</h3>"
        + rt.config_html(config_yaml)
    )
)
