"""Rule pooled_report: execute the pooled notebook and render its HTML report (no code)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import execute_integration_notebook, pooled_notebook_parameters

meta_analysis = Path(snakemake.input.meta_analysis)
execute_integration_notebook(
    notebook_py=Path(snakemake.input.notebook),
    parameters=pooled_notebook_parameters(
        sites=snakemake.params.sites,
        results_root=str(meta_analysis.parent.parent),  # results/pooled/.. = results
        config=snakemake.params.config,
        synthetic=bool(snakemake.params.synthetic),
    ),
    out_ipynb=Path(snakemake.output.ipynb),
    out_html=Path(snakemake.output.html),
    title=snakemake.params.title,
    start_timeout=int(snakemake.params.start_timeout),
    execution_timeout=int(snakemake.params.execution_timeout),
    log_dir=Path(snakemake.log.notebook).parent,
)
log.info("pooled report: %s", snakemake.output.html)
