"""Rule controlled: the arms of a controlled site compared per outcome, and the paired tests
within each arm."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis import controlled_analysis
from parentgroup.tables import read_named, write_table

outcomes = dict(snakemake.params.outcomes)
tables = controlled_analysis(
    read_named(snakemake.input.scores, "scores"),
    read_named(snakemake.input.participants, "participants"),
    config=snakemake.params.study,
    design=snakemake.params.design,
    directions={oid: meta["direction"] for oid, meta in outcomes.items()},
    labels={oid: meta["label"] for oid, meta in outcomes.items()},
)
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
    log.info("%s: %d rows", name, len(table))
