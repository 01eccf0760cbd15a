from _workflow import start

log = start(snakemake)

import pandas as pd

from parentgroup.joint_display import case_joint_display, outcome_joint_display

config = snakemake.params.config
outcomes = outcome_joint_display(
    paired_tests=pd.read_csv(snakemake.input.paired_tests),
    themes=pd.read_csv(snakemake.input.themes, keep_default_na=False),
    quotes=pd.read_csv(snakemake.input.quotes, dtype=str, keep_default_na=False),
    config=config,
)
cases = case_joint_display(
    reliable_change=pd.read_csv(snakemake.input.reliable_change, dtype={"pseudonym": str}),
    presence=pd.read_csv(snakemake.input.presence, dtype={"pseudonym": str}),
    config=config,
)
outcomes.to_csv(snakemake.output.outcomes, index=False, lineterminator="\n")
cases.to_csv(snakemake.output.cases, index=False, lineterminator="\n")
log.info("joint displays: %d outcome rows, %d case rows", len(outcomes), len(cases))
