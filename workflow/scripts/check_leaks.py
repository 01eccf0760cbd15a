from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.leak_check import check_site_outputs

check_site_outputs(
    roster_path=Path(snakemake.input.roster),
    key_path=Path(snakemake.params.key),
    site_cfg=snakemake.params.site_cfg,
    config=snakemake.params.config,
    roots=[Path(root) for root in snakemake.params.roots],
    summary_path=Path(snakemake.output.summary),
    exclude=[Path(snakemake.log[0])],
    processes=snakemake.threads,
)
