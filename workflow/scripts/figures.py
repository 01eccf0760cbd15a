"""Rule figures: every publication figure of a site (PNG 300 dpi, SVG, PDF), figures.csv and
the parents' journey figure (retention by session)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.figures import draw_site_figures
from parentgroup.tables import read_table

table = draw_site_figures(
    **{name: read_table(getattr(snakemake.input, name)) for name in (
        "scores", "paired_tests", "reliable_change", "participant_flow", "attendance",
        "participants", "joint_cases", "theme_presence", "themes", "retention",
    )},
    outcome_meta=dict(snakemake.params.outcomes),
    design=snakemake.params.design,
    out_dir=Path(snakemake.output.figures),
    processes=snakemake.threads,
    formats=snakemake.params.formats,
    synthetic=snakemake.params.synthetic,
    min_cell_size=snakemake.params.min_cell_size,
    journey_dir=Path(snakemake.output.retention[0]).parent,
    completer_min_sessions=int(snakemake.params.completer_min_sessions),
)
log.info("figures: %s", ", ".join(table["name"]))
