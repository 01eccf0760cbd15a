"""Rule manuscript_tables: the manuscript tables as a Word document in APA style."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report import write_manuscript_tables

write_manuscript_tables(
    paired_tests=Path(snakemake.input.paired_tests),
    reliability=Path(snakemake.input.reliability),
    joint_display_outcomes=Path(snakemake.input.joint_display_outcomes),
    out_docx=Path(snakemake.output.docx),
    title=snakemake.params.title,
    synthetic=bool(snakemake.params.synthetic),
    confidence_level=float(snakemake.params.confidence_level),
)
