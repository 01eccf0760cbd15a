# Stage 3: instrument definitions -> scale scores per person and time, reliability, flow.


rule score:
    input:
        questionnaire_items=rules.anonymise.output.questionnaire_items,
        instruments=lambda wildcards: instrument_files(wildcards.site),
    output:
        scores=report(
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
    benchmark:
        "logs/benchmarks/{site}/score.tsv"
    log:
        "logs/{site}/score.log",
    params:
        instruments=config["instruments"],
        extra_instrument_dirs=lambda wildcards: [str(site_data_dir(wildcards.site))],
        design=lambda wildcards: config["sites"][wildcards.site]["design"],
        confidence_level=config["analysis"]["confidence_level"],
    conda:
        ENV
    script:
        "../scripts/score.py"


rule participant_flow:
    input:
        participants=rules.anonymise.output.participants,
        exclusions=rules.anonymise.output.exclusions,
        scores=rules.score.output.scores,
    output:
        flow=report(
            "results/{site}/participant_flow.csv",
            caption="../report/participant_flow.rst",
            category="Sample",
            labels={"site": "{site}", "table": "participant flow"},
        ),
    benchmark:
        "logs/benchmarks/{site}/participant_flow.tsv"
    log:
        "logs/{site}/participant_flow.log",
    params:
        outcomes=config["outcomes"],
        completer_min_sessions=config["completer_min_sessions"],
        design=lambda wildcards: config["sites"][wildcards.site]["design"],
        min_cell_size=config["analysis"]["min_cell_size"],
    conda:
        ENV
    script:
        "../scripts/participant_flow.py"
