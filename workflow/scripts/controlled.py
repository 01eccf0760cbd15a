"""Rule controlled: the arms of a controlled site compared per outcome, the paired tests
within each arm, reliable change per arm and attendance per arm."""

from _workflow import start

log = start(snakemake)

from parentgroup.analysis import controlled_analysis
from parentgroup.analysis.controlled_secondary import (
    attendance_by_arm,
    reliable_change_by_arm,
    reliable_change_by_arm_shown,
)
from parentgroup.analysis.paired_tests import analysis_settings
from parentgroup.instruments import load_instruments
from parentgroup.tables import read_named, write_table

outcomes = dict(snakemake.params.outcomes)
scores = read_named(snakemake.input.scores, "scores")
participants = read_named(snakemake.input.participants, "participants")
kwargs = dict(
    config=snakemake.params.study,
    design=snakemake.params.design,
    directions={oid: meta["direction"] for oid, meta in outcomes.items()},
    labels={oid: meta["label"] for oid, meta in outcomes.items()},
)
tables = controlled_analysis(scores, participants, **kwargs)
tables["reliable_change_by_arm"] = reliable_change_by_arm_shown(
    reliable_change_by_arm(
        scores, participants, read_named(snakemake.input.reliability, "reliability"), **kwargs,
        items=read_named(snakemake.input.questionnaire_items, "questionnaire_items"),
        instruments=load_instruments(list(snakemake.params.instruments),
                                     [snakemake.params.instrument_dir])),
    min_cell_size=analysis_settings(snakemake.params.study)["min_cell_size"])
tables["attendance_by_arm"] = attendance_by_arm(
    participants, sessions=int(snakemake.params.sessions))
for name, table in tables.items():
    write_table(table, getattr(snakemake.output, name))
    log.info("%s: %d rows", name, len(table))
