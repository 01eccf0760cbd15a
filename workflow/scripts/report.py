"""Rule report: the config dump and provenance, then the executed notebook, its HTML and (unless
left out) the PDF."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import write_site_report

# every input but the notebook (the git commit in the provenance identifies it); a folder (the
# figures, the transcripts) counts by its files, not Snakemake's own hidden timestamp file
inputs = []
for name, value in snakemake.input.items():
    if name == "notebook":
        continue
    for path in [value] if isinstance(value, str) else value:
        path = Path(path)
        inputs += sorted(
            p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
        ) if path.is_dir() else [path]
write_site_report(
    site=snakemake.wildcards.site,
    study=snakemake.params.study,
    notebook=Path(snakemake.input.notebook),
    inputs=inputs,
    results_dir=Path(snakemake.params.results_dir),
    processed_dir=Path(snakemake.params.processed_dir),
    out_ipynb=Path(snakemake.output.ipynb),
    out_html=Path(snakemake.output.html),
    config_dump=Path(snakemake.output.config_dump),
    provenance=Path(snakemake.output.provenance),
    log_dir=Path(snakemake.log.stderr).parent,
    out_pdf=Path(snakemake.output.pdf) if "pdf" in snakemake.output.keys() else None,
)
