from _workflow import start

log = start(snakemake)

import pandas as pd

from parentgroup.paired_analysis import analyse_site

tables = analyse_site(
    scores=pd.read_csv(snakemake.input.scores, dtype={"pseudonym": str}),
    participants=pd.read_csv(snakemake.input.participants, dtype={"pseudonym": str}),
    attendance=pd.read_csv(snakemake.input.attendance, dtype={"pseudonym": str}),
    reliability=pd.read_csv(snakemake.input.reliability),
    config=snakemake.params.config,
    design=snakemake.params.design,
    directions=dict(snakemake.params.directions),
    labels=dict(snakemake.params.labels),
)
for key, table in tables.items():
    table.to_csv(getattr(snakemake.output, key), index=False, lineterminator="\n")
    log.info("%s: %d rows", key, len(table))
