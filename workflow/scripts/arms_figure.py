"""Rule arms_figure: the controlled site's before/after figure of both arms."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.figures.arms import draw_arms_figure
from parentgroup.tables import read_table

table = draw_arms_figure(
    controlled=read_table(snakemake.input.controlled),
    by_arm=read_table(snakemake.input.paired_tests_by_arm),
    outcome_meta=dict(snakemake.params.outcomes),
    out_dir=Path(snakemake.output.figures),
    formats=snakemake.params.formats,
)
log.info("figures: %s", ", ".join(table["name"]))
