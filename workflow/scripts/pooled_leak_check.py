"""Rule pooled_leak_check: the pooled outputs against every site's identifiers."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.leak_check import check_pooled

check_pooled(
    roster_paths=[Path(p) for p in snakemake.input.rosters],
    identifiers_paths=[Path(p) if p else None for p in snakemake.params.identifiers],
    key_paths=[Path(p) for p in snakemake.params.linkage_keys],
    sites=list(snakemake.params.sites),
    direct_identifiers=list(snakemake.params.direct_identifiers),
    roots=[Path(root) for root in snakemake.params.roots],
    summary_path=Path(snakemake.output.summary),
    exclude=[Path(snakemake.log[0])],
    quarantine=Path(snakemake.params.quarantine),
)
