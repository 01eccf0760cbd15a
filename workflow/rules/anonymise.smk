# Stage 2: pseudonyms from the linkage key, redacted transcripts and excerpts, generalised
# quasi-identifiers. The key and the detailed log go to the secure directory (params.secure_dir),
# which is deliberately not a tracked output: it must survive reruns unchanged.


rule anonymise:
    input:
        unpack(raw_inputs),
        validated=rules.validate_inputs.output.problems,
    output:
        participants="data/processed/{site}/participants.csv",
        attendance="data/processed/{site}/attendance.csv",
        questionnaire_items="data/processed/{site}/questionnaire_items.csv",
        exclusions="data/processed/{site}/input_exclusions.csv",
        transcripts=directory("data/processed/{site}/transcripts"),
        excerpts="data/processed/{site}/coded_excerpts.csv",
        summary="data/processed/{site}/anonymisation_summary.csv",
        disclosure="data/processed/{site}/disclosure_control.csv",
    benchmark:
        "logs/benchmarks/{site}/anonymise.tsv"
    log:
        "logs/{site}/anonymise.log",
    params:
        site=lambda wildcards: wildcards.site,
        site_cfg=site_cfg,
        config=ANALYSIS_CONFIG,
        secure_dir=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site),
    conda:
        ENV
    script:
        "../scripts/anonymise.py"
