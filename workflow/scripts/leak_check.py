"""Rule leak_check: every file the site's jobs wrote, scanned for every identifier."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.leak_check import check_site
from parentgroup.outputs import remove_full_run_documents

if snakemake.params.site_outputs == "tables":
    processed_dir, results_dir = (Path(root) for root in snakemake.params.roots[:2])
    removed = remove_full_run_documents(results_dir, processed_dir)
    if removed:
        log.info("removed the documents of an earlier full run, which this tables run does not "
                 "rebuild (site_outputs: full builds them again): %s", ", ".join(removed))

check_site(
    roster_path=Path(snakemake.input.roster),
    identifiers_path=Path(snakemake.input.identifiers[0]) if snakemake.input.identifiers else None,
    key_path=Path(snakemake.params.key),
    direct_identifiers=list(snakemake.params.direct_identifiers),
    roots=[Path(root) for root in snakemake.params.roots],
    summary_path=Path(snakemake.output.summary),
    exclude=[Path(snakemake.log[0])],
    processes=snakemake.threads,
    quarantine=Path(snakemake.params.quarantine),
)
