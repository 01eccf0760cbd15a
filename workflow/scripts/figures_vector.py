"""Rule figures_vector: the SVG and PDF copies of a site's figures (and of the parents' journey
figure), drawn beside the report from the same tables as the PNGs of rule figures."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.figures import draw_site_vector_figures
from parentgroup.tables import read_table

names = draw_site_vector_figures(
    **{name: read_table(getattr(snakemake.input, name)) for name in (
        "scores", "paired_tests", "reliable_change", "participant_flow", "attendance",
        "participants", "joint_cases", "theme_presence", "themes", "retention",
    )},
    outcome_meta=dict(snakemake.params.outcomes),
    design=snakemake.params.design,
    out_dir=Path(snakemake.output.figures),
    formats=snakemake.params.formats,
    processes=snakemake.threads,
    synthetic=snakemake.params.synthetic,
    min_cell_size=snakemake.params.min_cell_size,
    journey_dir=Path(snakemake.output.retention[0]).parent,
    completer_min_sessions=int(snakemake.params.completer_min_sessions),
)
log.info("vector figures: %s", ", ".join(names))
