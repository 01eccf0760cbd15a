"""Rule pooled_figures: the pooled forest plot (sites, pooled diamond, prediction interval)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

import pandas as pd

from parentgroup.figures import make_pooled_figures

# input.paired_tests is expanded over params.sites, in the same order.
site_tables = {
    site: pd.read_csv(path).assign(site=site)
    for site, path in zip(snakemake.params.sites, snakemake.input.paired_tests, strict=True)
}
table = make_pooled_figures(
    site_tables,
    pd.read_csv(snakemake.input.meta_analysis),
    Path(snakemake.output.table).parent,
    outcome_meta=snakemake.params.outcome_meta,
    formats=snakemake.params.formats,
)
log.info("pooled figures: %s", ", ".join(table["name"]))
