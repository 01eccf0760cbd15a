# The qualitative strand (reflexive thematic analysis as coded by the researchers) and its
# integration with the outcomes: themes, consented quotes, the joint displays.


rule qualitative:
    input:
        excerpts=rules.anonymise.output.excerpts,
        participants=rules.anonymise.output.participants,
        paired_tests=rules.analyse.output.paired_tests,
        reliable_change=rules.analyse.output.reliable_change,
    output:
        themes=report(
            "results/{site}/themes.csv",
            caption="../report/themes.rst",
            category="Qualitative results",
            labels={"site": "{site}", "table": "themes"},
        ),
        theme_presence="results/{site}/theme_presence.csv",
        quotes="results/{site}/quotes.csv",
        joint_display_outcomes=report(
            "results/{site}/joint_display_outcomes.csv",
            caption="../report/joint_display.rst",
            category="Integration",
            labels={"site": "{site}", "table": "statistics by themes"},
        ),
        joint_display_cases="results/{site}/joint_display_cases.csv",
        joint_display_links=report(
            "results/{site}/joint_display_links.csv",
            caption="../report/joint_display_links.rst",
            category="Integration",
            labels={"site": "{site}", "table": "joint display by theme-outcome link"},
        ),
        discordant_cases="results/{site}/discordant_cases.csv",
    log:
        "logs/{site}/qualitative.log",
    benchmark:
        "logs/benchmarks/{site}/qualitative.tsv"
    # on the critical path of a site (see rule figures)
    priority: 10
    conda:
        ENV
    params:
        study=site_settings(
            "themes", "outcomes", "report.quotes_per_theme", "analysis.min_cell_size"
        ),
    script:
        "../scripts/qualitative.py"
