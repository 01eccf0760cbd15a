"""Rule qualitative: themes, consented quotes and the joint displays."""

from _workflow import start

log = start(snakemake)

from parentgroup.qualitative import summarise_site
from parentgroup.tables import read_named, write_table

tables = summarise_site(
    excerpts=read_named(snakemake.input.excerpts, "coded_excerpts"),
    participants=read_named(snakemake.input.participants, "participants"),
    paired_tests=read_named(snakemake.input.paired_tests, "paired_tests"),
    reliable_change=read_named(snakemake.input.reliable_change, "reliable_change"),
    config=snakemake.params.study,
)
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
