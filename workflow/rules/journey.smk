# The parents' journey (issue 20): invitations and declines, lateness and retention, goal-based
# outcomes, the family progress sheets (secure folder only) and the summary for school staff.
# Every file is optional in the site folder: without referrals.csv or goals.csv the tables are
# written empty and the sections say so. The journey's inputs are pseudonymised by the
# anonymise job, its tables made by the analyse job and its retention figure by the figures job
# (rules/anonymise.smk, analyse.smk, figures.smk): no job of their own paying the imports again.

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
    # each sheet's PDF takes about 0.2 s: one worker per 250 parents, up to --cores
    # (family_sheets_threads; `--set-threads family_sheets=N` overrides it)
    threads: family_sheets_threads
    params:
        transcripts=transcripts_digest,
        study=site_settings(*JOURNEY_READ_KEYS, "study.short_title"),
        outcomes=site_outcome_meta,
        secure_dir=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site),
    script:
        "../scripts/family_sheets.py"


rule staff_summary:
    input:
        invitation_flow=rules.analyse.output.invitation_flow,
        retention=rules.analyse.output.retention,
        goal_summary=rules.analyse.output.goal_summary,
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
