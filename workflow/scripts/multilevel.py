"""Rule multilevel: the one-stage mixed model across sites beside the two-stage estimate."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis.multilevel import multilevel_table
from parentgroup.tables import read_named, read_table, write_table

params = snakemake.params
sites = {
    site: {"scores": read_named(scores, "scores"),
           "participants": read_named(participants, "participants"), "design": design}
    for site, scores, participants, design in zip(
        params.sites, snakemake.input.scores, snakemake.input.participants, params.designs,
        strict=True)
}
paired = {site: read_table(path)
          for site, path in zip(params.sites, snakemake.input.paired_tests, strict=True)}
table = multilevel_table(sites, outcomes=dict(params.outcomes), paired_tests=paired,
                         confidence_level=float(params.confidence_level),
                         random_slopes=bool(params.random_slopes))
write_table(table, snakemake.output.multilevel)
log.info("multilevel: %d outcomes over %d sites", len(table), len(sites))
