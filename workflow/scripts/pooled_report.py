"""Rule pooled_report: execute the pooled notebook and render its HTML report (no code)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import write_pooled_report

study = snakemake.params.study
write_pooled_report(
    sites=list(snakemake.params.sites),
    study=study,
    synthetic=all(site["synthetic"] for site in study["sites"].values()),
    notebook=Path(snakemake.input.notebook),
    results_root=Path(snakemake.input.meta_analysis).parent.parent,  # results/pooled/.. = results
    out_ipynb=Path(snakemake.output.ipynb),
    out_html=Path(snakemake.output.html),
    log_dir=Path(snakemake.log.stderr).parent,
)
