from _workflow import start

log = start(snakemake)

from parentgroup.inputs.validation import validate_site

validate_site(
    site_cfg=snakemake.params.site_cfg,
    config=snakemake.params.config,
    problems_csv=snakemake.output.problems,
)
