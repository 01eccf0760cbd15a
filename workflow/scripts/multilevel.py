"""Rule multilevel: the one-stage mixed model across sites beside the two-stage estimate."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis.multilevel import multilevel_table, read_pooled_sites
from parentgroup.tables import read_table, write_table

params = snakemake.params
sites = read_pooled_sites(params.sites, snakemake.input.scores, snakemake.input.participants,
                          params.designs)
paired = {site: read_table(path)
          for site, path in zip(params.sites, snakemake.input.paired_tests, strict=True)}
table = multilevel_table(sites, outcomes=dict(params.outcomes), paired_tests=paired,
                         confidence_level=float(params.confidence_level),
                         random_slopes=bool(params.random_slopes))
write_table(table, snakemake.output.multilevel)
log.info("multilevel: %d outcomes over %d sites", len(table), len(sites))
