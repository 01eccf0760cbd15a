"""Rule validate: every problem in every input file of the site, all at once."""

from _workflow import start

log = start(snakemake)

from parentgroup.inputs import validate_site

validate_site(
    site=snakemake.wildcards.site,
    study=snakemake.params.study,
    problems_csv=snakemake.output.problems,
    qda_offsets_csv=snakemake.output.qda_offsets,
)
