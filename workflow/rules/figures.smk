# Stage 5: publication figures (PNG 300 dpi, SVG, PDF; config figures.formats), each with a
# caption and alt text in figures.csv. One folder per site: a site's figures are named by its own
# outcomes (change_<outcome>), which differ between sites that use their own instruments. The
# parents' journey figure (retention by session) is drawn by the same job into journey/.


rule figures:
    input:
        scores=rules.score.output.scores,
        paired_tests=rules.analyse.output.paired_tests,
        reliable_change=rules.analyse.output.reliable_change,
        participant_flow=rules.analyse.output.participant_flow,
        attendance=rules.anonymise.output.attendance,
        participants=rules.anonymise.output.participants,
        joint_cases=rules.qualitative.output.joint_display_cases,
        theme_presence=rules.qualitative.output.theme_presence,
        themes=rules.qualitative.output.themes,
        retention=rules.analyse.output.retention,
    output:
        figures=report(
            directory("results/{site}/figures"),
            patterns=["{name}.png"],
            caption="../report/figures.rst",
            category="Figures",
            subcategory="{site}",
            labels={"site": "{site}", "figure": "{name}"},
        ),
        retention=expand("results/{{site}}/journey/retention.{ext}", ext=FIGURE_FORMATS),
    log:
        "logs/{site}/figures.log",
    benchmark:
        "logs/benchmarks/{site}/figures.tsv"
    # on the critical path of a site (the report waits for it): started before the jobs beside it
    priority: 10
    conda:
        ENV
    # Eleven figures in three formats are the longest job of a site: two worker processes
    # shorten it when a core is free beside them (the files are the same with one; see
    # FIGURES_THREADS).
    threads: FIGURES_THREADS
    params:
        outcomes=site_outcome_meta,
        design=lambda wildcards: site_entry(wildcards)["design"],
        formats=FIGURE_FORMATS,
        synthetic=lambda wildcards: bool(site_entry(wildcards).get("synthetic", False)),
        min_cell_size=lambda wildcards: STUDIES[wildcards.site]["analysis"]["min_cell_size"],
        completer_min_sessions=lambda wildcards: STUDIES[wildcards.site]["completer_min_sessions"],
    script:
        "../scripts/figures.py"


# A controlled site's figure of both arms (from the aggregate tables of rule controlled).
rule arms_figure:
    input:
        controlled=rules.controlled.output.controlled,
        paired_tests_by_arm=rules.controlled.output.paired_tests_by_arm,
    output:
        figures=report(
            directory("results/{site}/arms"),
            patterns=["{name}.png"],
            caption="../report/arms.rst",
            category="Figures",
            subcategory="{site}",
            labels={"site": "{site}", "figure": "{name}"},
        ),
    log:
        "logs/{site}/arms_figure.log",
    benchmark:
        "logs/benchmarks/{site}/arms_figure.tsv"
    conda:
        ENV
    params:
        outcomes=site_outcome_meta,
        formats=FIGURE_FORMATS,
    script:
        "../scripts/arms_figure.py"
