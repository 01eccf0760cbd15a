"""Rule figures: every publication figure of a site (PNG 300 dpi, SVG, PDF) and figures.csv."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

import pandas as pd

from parentgroup.figures import make_site_figures


def read(path: str) -> pd.DataFrame:
    """A stage table; an empty file (a site without that data) reads as an empty frame."""
    if Path(path).stat().st_size == 0:
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"pseudonym": str}, keep_default_na=True)


table = make_site_figures(
    **{name: read(getattr(snakemake.input, name)) for name in (
        "scores", "paired_tests", "reliable_change", "participant_flow", "attendance",
        "participants", "joint_cases", "theme_presence", "themes",
    )},
    outcome_meta=snakemake.params.outcome_meta,
    design=snakemake.params.design,
    out_dir=Path(snakemake.output.table).parent,
    processes=snakemake.threads,
    formats=snakemake.params.formats,
)
log.info("figures: %s", ", ".join(table["name"]))
