# Themes (reflexive thematic analysis as coded by the researchers) and the joint displays.


rule themes:
    input:
        excerpts=rules.anonymise.output.excerpts,
        participants=rules.anonymise.output.participants,
    output:
        themes=report(
            "results/{site}/themes.csv",
            caption="../report/themes.rst",
            category="Qualitative results",
            labels={"site": "{site}", "table": "themes"},
        ),
        presence="results/{site}/theme_presence.csv",
        quotes="results/{site}/quotes.csv",
    benchmark:
        "logs/benchmarks/{site}/themes.tsv"
    log:
        "logs/{site}/themes.log",
    params:
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/themes.py"


rule joint_display:
    input:
        paired_tests=rules.analyse.output.paired_tests,
        reliable_change=rules.analyse.output.reliable_change,
        themes=rules.themes.output.themes,
        presence=rules.themes.output.presence,
        quotes=rules.themes.output.quotes,
    output:
        outcomes=report(
            "results/{site}/joint_display_outcomes.csv",
            caption="../report/joint_display.rst",
            category="Integration",
            labels={"site": "{site}", "table": "statistics by themes"},
        ),
        cases="results/{site}/joint_display_cases.csv",
    benchmark:
        "logs/benchmarks/{site}/joint_display.tsv"
    log:
        "logs/{site}/joint_display.log",
    params:
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/joint_display.py"
