from _workflow import start

log = start(snakemake)

import pandas as pd

from parentgroup.meta_analysis import pool_sites

tables = {
    site: pd.read_csv(path)
    for site, path in zip(snakemake.params.sites, snakemake.input.paired_tests, strict=True)
}
pooled = pool_sites(tables, snakemake.params.config)
pooled.to_csv(snakemake.output.meta_analysis, index=False, lineterminator="\n")
log.info("meta-analysis: %d rows over %d sites", len(pooled), len(tables))
