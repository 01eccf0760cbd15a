"""Rule pooled_figures: the pooled forest plot (sites, pooled diamond, prediction interval)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.figures import draw_pooled_figures
from parentgroup.tables import read_table

# input.paired_tests is expanded over params.sites, in the same order.
site_tables = {
    site: read_table(path).assign(site=site)
    for site, path in zip(snakemake.params.sites, snakemake.input.paired_tests, strict=True)
}
table = draw_pooled_figures(
    site_tables,
    read_table(snakemake.input.meta_analysis),
    Path(snakemake.output.table).parent,
    outcome_meta=dict(snakemake.params.outcomes),
    formats=snakemake.params.formats,
    synthetic=snakemake.params.synthetic,
)
log.info("pooled figures: %s", ", ".join(table["name"]))
