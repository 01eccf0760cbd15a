# Stage 3: instrument definitions -> scale scores per person and time, reliability, the SPSS
# file and its codebook.


rule score:
    input:
        questionnaire_items=rules.anonymise.output.questionnaire_items,
        # the completer flag of the SPSS/JASP file
        participants=rules.anonymise.output.participants,
        instruments=lambda wildcards: instrument_files(wildcards.site),
    output:
        # every respondent (the analyses' sensitivity checks need the early leavers)
        scores="data/processed/{site}/scores.csv",
        # the shared copy: the parents the analyses are about (analysis.early_leavers_in_tables)
        shared_scores=report(
            "results/{site}/scores.csv",
            caption="../report/scores.rst",
            category="Scores",
            labels={"site": "{site}", "table": "scores"},
        ),
        sav="results/{site}/scores_wide.sav",
        codebook="results/{site}/codebook.csv",
        reliability=report(
            "results/{site}/reliability.csv",
            caption="../report/reliability.rst",
            category="Scores",
            labels={"site": "{site}", "table": "reliability"},
        ),
        item_total="results/{site}/item_total.csv",
    log:
        "logs/{site}/score.log",
    benchmark:
        "logs/benchmarks/{site}/score.tsv"
    conda:
        ENV
    params:
        instruments=lambda wildcards: STUDIES[wildcards.site]["instruments"],
        instrument_dir=lambda wildcards: str(site_data_dir(wildcards.site)),
        design=lambda wildcards: site_entry(wildcards)["design"],
        confidence_level=config["analysis"]["confidence_level"],
        early_leavers_in_tables=lambda wildcards: bool(
            STUDIES[wildcards.site]["analysis"].get("early_leavers_in_tables", False)
        ),
    script:
        "../scripts/score.py"
