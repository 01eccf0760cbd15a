from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.anonymisation import anonymise_site
from parentgroup.inputs.site import read_site
from parentgroup.problems import raise_if_errors

inputs = read_site(snakemake.params.site_cfg, snakemake.params.config)
raise_if_errors(inputs.problems, f"input files of site {snakemake.params.site}")
anonymise_site(
    roster=inputs.roster,
    attendance=inputs.attendance,
    items=inputs.items,
    exclusions=inputs.exclusions,
    transcripts=inputs.transcripts,
    excerpts=inputs.excerpts,
    site_cfg=snakemake.params.site_cfg,
    config=snakemake.params.config,
    outputs={name: Path(path) for name, path in snakemake.output.items()},
    secure_dir=Path(snakemake.params.secure_dir),
    review_decisions=Path(snakemake.input.review_decisions)
    if "review_decisions" in snakemake.input.keys() else None,
)
