# Stage 2: pseudonyms from the linkage key, redacted transcripts and excerpts, generalised
# quasi-identifiers; the parents' journey (goals, invitations, lateness, the baseline form) with
# the same key, from the same reading of the site. The key, the detailed log and the review list
# go to the site's secure folder (params.secure_dir), deliberately not a tracked output: it must
# survive reruns.


rule anonymise:
    input:
        unpack(raw_inputs),
        validated=rules.validate.output.problems,
    output:
        participants="data/processed/{site}/participants.csv",
        attendance="data/processed/{site}/attendance.csv",
        questionnaire_items="data/processed/{site}/questionnaire_items.csv",
        exclusions="data/processed/{site}/input_exclusions.csv",
        transcripts=directory("data/processed/{site}/transcripts"),
        excerpts="data/processed/{site}/coded_excerpts.csv",
        summary="data/processed/{site}/anonymisation_summary.csv",
        disclosure="data/processed/{site}/disclosure_control.csv",
        goals="data/processed/{site}/goals.csv",
        invitations="data/processed/{site}/invitations.csv",
        lateness="data/processed/{site}/lateness.csv",
        baseline_form="data/processed/{site}/baseline_form.csv",
        baseline_texts="data/processed/{site}/baseline_texts.csv",
    log:
        "logs/{site}/anonymise.log",
    benchmark:
        "logs/benchmarks/{site}/anonymise.tsv"
    conda:
        ENV
    params:
        transcripts=transcripts_digest,
        study=site_settings(
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
            "anonymisation",
            "completer_min_sessions",
            "journey.goal_categories",
            "journey.decline_reasons",
            "journey.baseline_instrument",
        ),
        secure_dir=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site),
    script:
        "../scripts/anonymise.py"
