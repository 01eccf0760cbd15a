"""Rule journey_figures: retention by session (survival curve) and lateness."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.figures.retention import draw_retention
from parentgroup.tables import read_table

record = draw_retention(
    read_table(snakemake.input.retention),
    Path(snakemake.output.figures[0]).parent,
    completer_min_sessions=int(snakemake.params.completer_min_sessions),
    formats=snakemake.params.formats,
    synthetic=snakemake.params.synthetic,
)
log.info("figure %s: %s", record.name, record.title)
