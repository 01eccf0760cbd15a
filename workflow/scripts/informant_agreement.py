"""Rule informant_agreement: how far informants agree on each child's change."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis.informants import site_informant_agreement
from parentgroup.tables import read_named, write_table

table = site_informant_agreement(
    read_named(snakemake.input.scores, "scores"),
    read_named(snakemake.input.participants, "participants"),
    informants=dict(snakemake.params.informants),
    outcomes=snakemake.params.outcomes["outcomes"],
    design=snakemake.params.design,
    where=snakemake.params.where,
    informant_of=dict(snakemake.params.informant_of),
)
write_table(table, snakemake.output.agreement)
log.info("informant agreement: %d pairs", len(table))
