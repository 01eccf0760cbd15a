"""Rule family_sheets: one progress sheet per family, to the secure folder only."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report.family_sheets import write_family_sheets
from parentgroup.tables import read_named

write_family_sheets(
    site=snakemake.wildcards.site,
    study=snakemake.params.study,
    scores=read_named(snakemake.input.scores, "scores"),
    participants=read_named(snakemake.input.participants, "participants"),
    outcomes=dict(snakemake.params.outcomes),
    secure_dir=Path(snakemake.params.secure_dir),
    manifest_path=Path(snakemake.output.manifest),
    processes=snakemake.threads,
)
