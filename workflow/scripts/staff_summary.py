"""Rule staff_summary: the site's summary for school staff (no individual data)."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.report.staff_summary import staff_summary_html
from parentgroup.tables import read_table

page = staff_summary_html(
    title=snakemake.params.title,
    flow=read_table(snakemake.input.invitation_flow, text=True),
    retention=read_table(snakemake.input.retention),
    goal_summary=read_table(snakemake.input.goal_summary, text=True),
    journey=dict(snakemake.params.journey),
    sessions=int(snakemake.params.sessions),
    synthetic=bool(snakemake.params.synthetic),
)
Path(snakemake.output.html).write_text(page, encoding="utf-8", newline="\n")
