from _workflow import start

log = start(snakemake)

import pandas as pd

from parentgroup.participant_flow import participant_flow

flow = participant_flow(
    participants=pd.read_csv(snakemake.input.participants, dtype={"pseudonym": str}),
    exclusions=pd.read_csv(snakemake.input.exclusions, dtype=str, keep_default_na=False),
    scores=pd.read_csv(snakemake.input.scores),
    outcomes=snakemake.params.outcomes,
    completer_min_sessions=snakemake.params.completer_min_sessions,
    design=snakemake.params.design,
)
flow.to_csv(snakemake.output.flow, index=False, lineterminator="\n")
log.info("participant flow: %s", flow.to_dict("records"))
