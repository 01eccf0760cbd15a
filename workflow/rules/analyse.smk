# Stage 4: paired tests, effect sizes with intervals, reliable change, engagement, power.


rule analyse:
    input:
        scores=rules.score.output.scores,
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        reliability=rules.score.output.reliability,
    output:
        paired_tests=report(
            "results/{site}/paired_tests.csv",
            caption="../report/paired_tests.rst",
            category="Quantitative results",
            labels={"site": "{site}", "table": "paired tests"},
        ),
        reliable_change="results/{site}/reliable_change.csv",
        dose_response="results/{site}/dose_response.csv",
        sensitivity="results/{site}/sensitivity.csv",
        response_shift="results/{site}/response_shift.csv",
        engagement="results/{site}/engagement.csv",
        power="results/{site}/power.csv",
    benchmark:
        "logs/benchmarks/{site}/analyse.tsv"
    log:
        "logs/{site}/analyse.log",
    params:
        config=ANALYSIS_CONFIG,
        design=lambda wildcards: config["sites"][wildcards.site]["design"],
        directions=lambda wildcards: {k: v["direction"] for k, v in outcome_meta().items()},
        labels=lambda wildcards: {k: v["label"] for k, v in outcome_meta().items()},
    conda:
        ENV
    script:
        "../scripts/analyse.py"
