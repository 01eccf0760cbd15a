# The parents' journey (issue 20): invitations and declines, lateness and retention, goal-based
# outcomes, the family progress sheets (secure folder only) and the summary for school staff.
# Every file is optional in the site folder: without referrals.csv or goals.csv the tables are
# written empty and the sections say so.

# the validate rule's view of the site, plus the journey settings
JOURNEY_READ_KEYS = (
    "site.data_dir",
    "site.sessions",
    "site.design",
    "site.reference_date",
    "site.questionnaire",
    "site.transcripts",
    "site.coding",
    "site.review_decisions",
    "site.identifiers_file",
    "roster",
    "instruments",
    "themes",
    "code_map",
    "journey",
)


rule journey_anonymise:
    input:
        unpack(raw_inputs),
        validated=rules.validate.output.problems,
        # the anonymise job writes the linkage key these tables are pseudonymised with
        participants=rules.anonymise.output.participants,
    output:
        goals="data/processed/{site}/goals.csv",
        invitations="data/processed/{site}/invitations.csv",
        lateness="data/processed/{site}/lateness.csv",
        baseline_form="data/processed/{site}/baseline_form.csv",
        baseline_texts="data/processed/{site}/baseline_texts.csv",
    log:
        "logs/{site}/journey_anonymise.log",
    benchmark:
        "logs/benchmarks/{site}/journey_anonymise.tsv"
    conda:
        ENV
    params:
        transcripts=transcripts_digest,
        study=site_settings(*JOURNEY_READ_KEYS),
        secure_dir=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site),
    script:
        "../scripts/journey_anonymise.py"


rule journey_analyse:
    input:
        goals=rules.journey_anonymise.output.goals,
        invitations=rules.journey_anonymise.output.invitations,
        lateness=rules.journey_anonymise.output.lateness,
        baseline_form=rules.journey_anonymise.output.baseline_form,
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        reliable_change=rules.analyse.output.reliable_change,
        excerpts=rules.anonymise.output.excerpts,
    output:
        goal_outcomes="results/{site}/goal_outcomes.csv",
        goal_progress="results/{site}/goal_progress.csv",
        goal_summary="results/{site}/goal_summary.csv",
        invitation_flow="results/{site}/invitation_flow.csv",
        retention="results/{site}/retention.csv",
        joint_display_goals="results/{site}/joint_display_goals.csv",
        decline_barriers="results/{site}/decline_barriers.csv",
        baseline_summary="results/{site}/baseline_summary.csv",
    log:
        "logs/{site}/journey_analyse.log",
    benchmark:
        "logs/benchmarks/{site}/journey_analyse.tsv"
    conda:
        ENV
    params:
        study=site_settings("journey", "analysis.min_cell_size", "outcomes"),
        sessions=lambda wildcards: site_entry(wildcards)["sessions"],
    script:
        "../scripts/journey_analyse.py"


rule journey_figures:
    input:
        retention=rules.journey_analyse.output.retention,
    output:
        figures=expand("results/{{site}}/journey/retention.{ext}", ext=FIGURE_FORMATS),
    log:
        "logs/{site}/journey_figures.log",
    benchmark:
        "logs/benchmarks/{site}/journey_figures.tsv"
    conda:
        ENV
    params:
        completer_min_sessions=config["completer_min_sessions"],
        formats=FIGURE_FORMATS,
        synthetic=lambda wildcards: bool(site_entry(wildcards).get("synthetic", False)),
    script:
        "../scripts/journey_figures.py"


# The sheets hold the parents' first names and their own goal texts: they go to the secure
# folder only (params.secure_dir, deliberately not a tracked output); the tracked output is a
# manifest without names.
rule family_sheets:
    input:
        unpack(raw_inputs),
        scores=rules.score.output.scores,
        participants=rules.anonymise.output.participants,
    output:
        # per parent (whether a sheet was written): analysts only, like every per-parent table
        manifest="data/processed/{site}/family_sheets.csv",
    log:
        "logs/{site}/family_sheets.log",
    benchmark:
        "logs/benchmarks/{site}/family_sheets.tsv"
    conda:
        ENV
    params:
        transcripts=transcripts_digest,
        study=site_settings(*JOURNEY_READ_KEYS, "study.short_title"),
        outcomes=site_outcome_meta,
        secure_dir=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site),
    script:
        "../scripts/family_sheets.py"


rule staff_summary:
    input:
        invitation_flow=rules.journey_analyse.output.invitation_flow,
        retention=rules.journey_analyse.output.retention,
        goal_summary=rules.journey_analyse.output.goal_summary,
    output:
        html="results/{site}/staff_summary.html",
    log:
        "logs/{site}/staff_summary.log",
    benchmark:
        "logs/benchmarks/{site}/staff_summary.tsv"
    conda:
        ENV
    params:
        title=config["study"]["short_title"],
        journey=lambda wildcards: STUDIES[wildcards.site]["journey"],
        sessions=lambda wildcards: site_entry(wildcards)["sessions"],
        synthetic=lambda wildcards: bool(site_entry(wildcards).get("synthetic", False)),
    script:
        "../scripts/staff_summary.py"
