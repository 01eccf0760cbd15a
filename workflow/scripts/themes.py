from _workflow import start

log = start(snakemake)

import pandas as pd

from parentgroup.qualitative import summarise_themes

themes, presence, quotes = summarise_themes(
    excerpts=pd.read_csv(snakemake.input.excerpts, dtype=str, keep_default_na=False),
    participants=pd.read_csv(snakemake.input.participants, dtype=str, keep_default_na=False),
    config=snakemake.params.config,
)
themes.to_csv(snakemake.output.themes, index=False, lineterminator="\n")
presence.to_csv(snakemake.output.presence, index=False, lineterminator="\n")
quotes.to_csv(snakemake.output.quotes, index=False, lineterminator="\n")
log.info(
    "themes: %d rows, presence: %d rows, quotes: %d rows", len(themes), len(presence), len(quotes)
)
