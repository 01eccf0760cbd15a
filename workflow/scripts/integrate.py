"""Rule integrate: write the config dump and provenance, execute the integration notebook and
render the HTML report (one rule, so the HTML is byte-stable; see parentgroup.report)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import (
    dump_config,
    execute_integration_notebook,
    site_notebook_parameters,
    write_provenance,
)

dump_config(snakemake.params.config, Path(snakemake.output.config_dump))
# every input but the notebook, whose source-cache path differs per run (the git commit in
# the provenance identifies it)
inputs = [Path(p) for name, value in snakemake.input.items() if name != "notebook"
          for p in ([value] if isinstance(value, str) else value)]
write_provenance(Path(snakemake.output.provenance), inputs, snakemake.params.config)
execute_integration_notebook(
    notebook_py=Path(snakemake.input.notebook),
    parameters=site_notebook_parameters(
        site=snakemake.params.site,
        results_dir=snakemake.params.results_dir,
        processed_dir=snakemake.params.processed_dir,
        config_path=snakemake.output.config_dump,
        synthetic=snakemake.params.synthetic,
        provenance_path=snakemake.output.provenance,
    ),
    out_ipynb=Path(snakemake.output.ipynb),
    out_html=Path(snakemake.output.html),
    title=snakemake.params.title,
    start_timeout=int(snakemake.params.start_timeout),
    execution_timeout=int(snakemake.params.execution_timeout),
    log_dir=Path(snakemake.log.notebook).parent,
)
log.info("report: %s", snakemake.output.html)
