"""Rule journey_analyse: goal-based outcomes, the flow from invitation, retention, lateness."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis.journey import analyse_journey
from parentgroup.tables import read_named, read_table, write_table

tables = analyse_journey(
    **{name: read_table(getattr(snakemake.input, name), text=True) for name in (
        "goals", "invitations")},
    lateness=read_table(snakemake.input.lateness),
    participants=read_named(snakemake.input.participants, "participants"),
    attendance=read_named(snakemake.input.attendance, "attendance"),
    reliable_change=read_named(snakemake.input.reliable_change, "reliable_change"),
    config=snakemake.params.study,
    sessions=int(snakemake.params.sessions),
    excerpts=read_named(snakemake.input.excerpts, "coded_excerpts"),
    baseline_form=read_table(snakemake.input.baseline_form),
)
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
    log.info("%s: %d rows", name, len(table))
