"""Rule analyse: participant flow, paired tests and everything around them, and the tables of
the parents' journey (goal-based outcomes, the flow from invitation, retention, lateness)."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis import analyse_site
from parentgroup.instruments import load_instruments
from parentgroup.tables import read_named, read_table, write_table

outcomes = dict(snakemake.params.outcomes)
tables = analyse_site(
    **{name: read_named(getattr(snakemake.input, name), name) for name in (
        "scores", "participants", "attendance", "reliability")},
    exclusions=read_named(snakemake.input.exclusions, "input_exclusions"),
    config=snakemake.params.study,
    design=snakemake.params.design,
    directions={oid: meta["direction"] for oid, meta in outcomes.items()},
    labels={oid: meta["label"] for oid, meta in outcomes.items()},
    journey={
        **{name: read_table(getattr(snakemake.input, name), text=True)
           for name in ("goals", "invitations")},
        "lateness": read_table(snakemake.input.lateness),
        "baseline_form": read_table(snakemake.input.baseline_form),
        "excerpts": read_named(snakemake.input.excerpts, "coded_excerpts"),
    },
    sessions=int(snakemake.params.sessions),
    items=read_named(snakemake.input.questionnaire_items, "questionnaire_items"),
    instruments=load_instruments(list(snakemake.params.instruments),
                                 [snakemake.params.instrument_dir]),
)
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
    log.info("%s: %d rows", name, len(table))
