# Stage 5: publication figures, each with a caption and alt text in figures.csv. One folder per
# site: a site's figures are named by its own outcomes (change_<outcome>), which differ between
# sites that use their own instruments. The parents' journey figure (retention by session) is
# drawn by the same jobs into journey/. Rule figures draws the PNGs (300 dpi) the report embeds;
# rule figures_vector their SVG and PDF copies (config figures.formats) into figures_vector/, in
# a job beside the report instead of before it.


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
        retention="results/{site}/journey/retention.png",
    log:
        "logs/{site}/figures.log",
    benchmark:
        "logs/benchmarks/{site}/figures.tsv"
    # On the critical path of a site (the report waits for it): one thread, so it starts as
    # soon as its inputs exist instead of waiting for two free cores (the files are the same).
    priority: 10
    conda:
        ENV
    params:
        outcomes=site_outcome_meta,
        design=lambda wildcards: site_entry(wildcards)["design"],
        vector_formats=VECTOR_FORMATS,
        synthetic=lambda wildcards: bool(site_entry(wildcards).get("synthetic", False)),
        min_cell_size=lambda wildcards: STUDIES[wildcards.site]["analysis"]["min_cell_size"],
        completer_min_sessions=lambda wildcards: STUDIES[wildcards.site]["completer_min_sessions"],
    script:
        "../scripts/figures.py"


rule figures_vector:
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
        figures=directory("results/{site}/figures_vector"),
        retention=expand("results/{{site}}/journey/retention.{ext}", ext=VECTOR_FORMATS),
    log:
        "logs/{site}/figures_vector.log",
    benchmark:
        "logs/benchmarks/{site}/figures_vector.tsv"
    conda:
        ENV
    params:
        outcomes=site_outcome_meta,
        design=lambda wildcards: site_entry(wildcards)["design"],
        formats=VECTOR_FORMATS,
        synthetic=lambda wildcards: bool(site_entry(wildcards).get("synthetic", False)),
        min_cell_size=lambda wildcards: STUDIES[wildcards.site]["analysis"]["min_cell_size"],
        completer_min_sessions=lambda wildcards: STUDIES[wildcards.site]["completer_min_sessions"],
    script:
        "../scripts/figures_vector.py"


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
