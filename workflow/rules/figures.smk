# Stage 5: publication figures (PNG 300 dpi, SVG, PDF; config figures.formats), each with a caption
# and alt text.


rule figures:
    input:
        scores=rules.score.output.scores,
        paired_tests=rules.analyse.output.paired_tests,
        reliable_change=rules.analyse.output.reliable_change,
        participant_flow=rules.participant_flow.output.flow,
        attendance=rules.anonymise.output.attendance,
        participants=rules.anonymise.output.participants,
        joint_cases=rules.joint_display.output.cases,
        theme_presence=rules.themes.output.presence,
        themes=rules.themes.output.themes,
    output:
        table=report(
            "results/{site}/figures/figures.csv",
            caption="../report/figures_table.rst",
            category="Figures",
            labels={"site": "{site}", "figure": "captions and alt text"},
        ),
        png=figure_report_outputs("png"),
        svg=figure_outputs("svg"),
        pdf=figure_outputs("pdf"),
    # Eleven figures in three formats are the longest job of a site: two worker processes halve
    # its wall time when it runs alone (the files are the same with one; see SITE_JOB_THREADS).
    threads: SITE_JOB_THREADS
    benchmark:
        "logs/benchmarks/{site}/figures.tsv"
    log:
        "logs/{site}/figures.log",
    params:
        outcome_meta=lambda wildcards: outcome_meta(),
        design=lambda wildcards: config["sites"][wildcards.site]["design"],
        formats=FIGURE_FORMATS,
    conda:
        ENV
    script:
        "../scripts/figures.py"
