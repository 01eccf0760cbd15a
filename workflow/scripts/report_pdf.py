"""Rule report_pdf: the HTML report drawn as a PDF with its print stylesheet."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import write_report_pdf

write_report_pdf(html=Path(snakemake.input.html), pdf=Path(snakemake.output.pdf))
