# Stage 4: participant flow, paired tests, effect sizes with intervals, reliable change,
# engagement, sensitivity and power; and the tables of the parents' journey (goal-based
# outcomes, invitations and declines, retention and lateness: one job, one set of imports).


rule analyse:
    input:
        scores=rules.score.output.scores,
        reliability=rules.score.output.reliability,
        # reliable change: the sample alpha of the analysed pairs' items (reliable_change.py)
        questionnaire_items=rules.anonymise.output.questionnaire_items,
        instruments=lambda wildcards: instrument_files(wildcards.site),
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        exclusions=rules.anonymise.output.exclusions,
        excerpts=rules.anonymise.output.excerpts,
        goals=rules.anonymise.output.goals,
        invitations=rules.anonymise.output.invitations,
        lateness=rules.anonymise.output.lateness,
        baseline_form=rules.anonymise.output.baseline_form,
    output:
        participant_flow=report(
            "results/{site}/participant_flow.csv",
            caption="../report/participant_flow.rst",
            category="Sample",
            labels={"site": "{site}", "table": "participant flow"},
        ),
        paired_tests=report(
            "results/{site}/paired_tests.csv",
            caption="../report/paired_tests.rst",
            category="Quantitative results",
            labels={"site": "{site}", "table": "paired tests"},
        ),
        reliable_change="results/{site}/reliable_change.csv",
        reliable_change_summary="results/{site}/reliable_change_summary.csv",
        dose_response="results/{site}/dose_response.csv",
        sensitivity="results/{site}/sensitivity.csv",
        response_shift="results/{site}/response_shift.csv",
        engagement="results/{site}/engagement.csv",
        power="results/{site}/power.csv",
        goal_outcomes="results/{site}/goal_outcomes.csv",
        goal_progress="results/{site}/goal_progress.csv",
        goal_summary="results/{site}/goal_summary.csv",
        invitation_flow="results/{site}/invitation_flow.csv",
        retention="results/{site}/retention.csv",
        joint_display_goals="results/{site}/joint_display_goals.csv",
        decline_barriers="results/{site}/decline_barriers.csv",
        baseline_summary="results/{site}/baseline_summary.csv",
    log:
        "logs/{site}/analyse.log",
    benchmark:
        "logs/benchmarks/{site}/analyse.tsv"
    conda:
        ENV
    params:
        study=site_settings(
            "outcomes",
            "analysis",
            "completer_min_sessions",
            "journey.meaningful_goal_change",
            "journey.goal_categories",
            "journey.decline_reasons",
            "journey.barrier_codes",
        ),
        design=lambda wildcards: site_entry(wildcards)["design"],
        outcomes=site_outcome_meta,
        sessions=lambda wildcards: site_entry(wildcards)["sessions"],
        instruments=lambda wildcards: STUDIES[wildcards.site]["instruments"],
        instrument_dir=lambda wildcards: str(site_data_dir(wildcards.site)),
    script:
        "../scripts/analyse.py"


# A controlled site (roster column arm with comparison parents): the arms compared per outcome
# (ANCOVA with HC3 errors, Morris d_ppc2, arm-by-time mixed model) and the paired tests within
# each arm; reliable change per arm (one criterion, the difference in proportions with
# Newcombe's interval) and attendance where an arm attends sessions. Requested through
# controlled_outputs (common.smk) only for such sites.
rule controlled:
    input:
        scores=rules.score.output.scores,
        reliability=rules.score.output.reliability,
        participants=rules.anonymise.output.participants,
        questionnaire_items=rules.anonymise.output.questionnaire_items,
        instruments=lambda wildcards: instrument_files(wildcards.site),
    output:
        controlled=report(
            "results/{site}/controlled.csv",
            caption="../report/controlled.rst",
            category="Quantitative results",
            labels={"site": "{site}", "table": "controlled comparison"},
        ),
        paired_tests_by_arm="results/{site}/paired_tests_by_arm.csv",
        reliable_change_by_arm="results/{site}/reliable_change_by_arm.csv",
        attendance_by_arm="results/{site}/attendance_by_arm.csv",
    log:
        "logs/{site}/controlled.log",
    benchmark:
        "logs/benchmarks/{site}/controlled.tsv"
    conda:
        ENV
    params:
        study=site_settings("outcomes", "analysis", "completer_min_sessions"),
        design=lambda wildcards: site_entry(wildcards)["design"],
        outcomes=site_outcome_meta,
        sessions=lambda wildcards: site_entry(wildcards)["sessions"],
        instruments=lambda wildcards: STUDIES[wildcards.site]["instruments"],
        instrument_dir=lambda wildcards: str(site_data_dir(wildcards.site)),
    script:
        "../scripts/controlled.py"


# A site whose config names informants (sites.<site>.informants: outcomes rating one construct
# by different informants): the agreement between them. Requested through informant_outputs.
rule informant_agreement:
    input:
        scores=rules.score.output.scores,
        participants=rules.anonymise.output.participants,
    output:
        agreement="results/{site}/informant_agreement.csv",
    log:
        "logs/{site}/informant_agreement.log",
    benchmark:
        "logs/benchmarks/{site}/informant_agreement.tsv"
    conda:
        ENV
    params:
        informants=lambda wildcards: site_entry(wildcards)["informants"],
        outcomes=site_settings("outcomes"),
        design=lambda wildcards: site_entry(wildcards)["design"],
        where=lambda wildcards: site_key(config, wildcards.site, "informants"),
        informant_of=outcome_informants,
    script:
        "../scripts/informant_agreement.py"
