"""Rule pool: random-effects meta-analysis of every outcome over the sites that measured it."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis import pool_sites
from parentgroup.tables import read_table, write_table

tables = {
    site: read_table(path)
    for site, path in zip(snakemake.params.sites, snakemake.input.paired_tests, strict=True)
}
pooled = pool_sites(
    tables, outcomes=list(snakemake.params.outcomes),
    confidence_level=float(snakemake.params.confidence_level),
)
write_table(pooled, snakemake.output.meta_analysis)
log.info("meta-analysis: %d rows over %d sites", len(pooled), len(tables))
