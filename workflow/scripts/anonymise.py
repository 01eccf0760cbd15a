from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.anonymisation import anonymise_site
from parentgroup.inputs.site import read_site
from parentgroup.problems import raise_if_errors

# read_site calls read_roster, read_attendance, the instrument loader, read_questionnaire,
# read_transcripts and read_coding, collecting every problem before anything is written.
inputs = read_site(snakemake.params.site_cfg, snakemake.params.config)
raise_if_errors(inputs.problems, f"input files of site {snakemake.params.site}")
decisions = (
    snakemake.input.review_decisions
    if "review_decisions" in snakemake.input.keys()
    else getattr(snakemake.params, "review_decisions", "")
)
anonymise_site(
    roster=inputs.roster,
    attendance=inputs.attendance,
    items=inputs.items,
    exclusions=inputs.exclusions,
    transcripts=inputs.transcripts,
    excerpts=inputs.excerpts,
    site=snakemake.params.site,
    site_cfg=snakemake.params.site_cfg,
    config=snakemake.params.config,
    processed_dir=Path(snakemake.output.participants).parent,
    secure_dir=Path(snakemake.params.secure_dir),
    review_decisions=Path(decisions) if decisions else None,
)
