# Stage 1: every problem in every input file, all at once, before any work.


rule validate:
    input:
        unpack(raw_inputs),
    output:
        problems="results/{site}/validation/input_problems.csv",
        qda_offsets="results/{site}/validation/qda_offsets.csv",
    log:
        "logs/{site}/validate.log",
    benchmark:
        "logs/benchmarks/{site}/validate.tsv"
    conda:
        ENV
    params:
        transcripts=transcripts_digest,
        study=site_settings(
            "site.data_dir",
            "site.sessions",
            "site.design",
            "site.questionnaire",
            "site.transcripts",
            "site.coding",
            "site.review_decisions",
            "site.identifiers_file",
            "roster",
            "instruments",
            "themes",
            "code_map",
        ),
    script:
        "../scripts/validate.py"
