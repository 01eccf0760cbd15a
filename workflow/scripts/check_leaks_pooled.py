from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.leak_check import check_pooled_outputs

check_pooled_outputs(
    roster_paths=[Path(p) for p in snakemake.input.rosters],
    key_paths=[Path(p) for p in snakemake.params.linkage_keys],
    sites=list(snakemake.params.sites),
    config=snakemake.params.config,
    roots=[Path(root) for root in snakemake.params.roots],
    summary_path=Path(snakemake.output.summary),
    exclude=[Path(snakemake.log[0])],
)
