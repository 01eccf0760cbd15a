"""Rule pooled_controlled: the between-arm effect across the controlled sites, one-stage beside
two-stage."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis.multilevel import pooled_controlled_table, read_pooled_sites
from parentgroup.tables import read_named, write_table

params = snakemake.params
sites = read_pooled_sites(params.sites, snakemake.input.scores, snakemake.input.participants,
                          params.designs)
controlled = {site: read_named(path, "controlled")
              for site, path in zip(params.sites, snakemake.input.controlled, strict=True)}
table = pooled_controlled_table(sites, outcomes=dict(params.outcomes), controlled=controlled,
                                confidence_level=float(params.confidence_level))
write_table(table, snakemake.output.controlled)
log.info("pooled controlled: %d outcomes over %d sites", len(table), len(sites))
