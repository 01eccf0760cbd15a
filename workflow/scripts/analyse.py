"""Rule analyse: participant flow, paired tests and everything around them."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis import analyse_site
from parentgroup.tables import read_named, write_table

outcomes = dict(snakemake.params.outcomes)
tables = analyse_site(
    **{name: read_named(getattr(snakemake.input, name), name) for name in (
        "scores", "participants", "attendance", "reliability")},
    exclusions=read_named(snakemake.input.exclusions, "input_exclusions"),
    config=snakemake.params.study,
    design=snakemake.params.design,
    directions={oid: meta["direction"] for oid, meta in outcomes.items()},
    labels={oid: meta["label"] for oid, meta in outcomes.items()},
)
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
    log.info("%s: %d rows", name, len(table))
