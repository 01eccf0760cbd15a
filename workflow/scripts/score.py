"""Rule score: scale scores, reliability, the SPSS file and its codebook."""

from _workflow import start

log = start(snakemake)

from parentgroup.scoring import score_site

score_site(
    items_csv=snakemake.input.questionnaire_items,
    instrument_names=list(snakemake.params.instruments),
    extra_instrument_dirs=[snakemake.params.instrument_dir],
    design=snakemake.params.design,
    confidence_level=float(snakemake.params.confidence_level),
    scores_csv=snakemake.output.scores,
    scores_sav=snakemake.output.sav,
    codebook_csv=snakemake.output.codebook,
    reliability_csv=snakemake.output.reliability,
    item_total_csv=snakemake.output.item_total,
    participants_csv=snakemake.input.participants,
    shared_scores_csv=snakemake.output.shared_scores,
    early_leavers_in_tables=bool(snakemake.params.early_leavers_in_tables),
)
