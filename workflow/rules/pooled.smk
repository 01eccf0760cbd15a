# Several sites: random-effects meta-analysis per outcome, its forest plot and a pooled report.


rule pool:
    input:
        paired_tests=expand("results/{site}/paired_tests.csv", site=SITES),
    output:
        meta_analysis=report(
            "results/pooled/meta_analysis.csv",
            caption="../report/meta_analysis.rst",
            category="Pooled",
            labels={"site": "pooled", "table": "random-effects meta-analysis"},
        ),
    benchmark:
        "logs/benchmarks/pooled/pool.tsv"
    log:
        "logs/pooled/pool.log",
    params:
        sites=SITES,
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/pool.py"


rule pooled_figures:
    input:
        meta_analysis=rules.pool.output.meta_analysis,
        paired_tests=expand("results/{site}/paired_tests.csv", site=SITES),
    output:
        table="results/pooled/figures/figures.csv",
        png=report(
            "results/pooled/figures/pooled_forest.png",
            caption="../report/pooled_forest.rst",
            category="Pooled",
            labels={"site": "pooled", "figure": "forest plot"},
        ),
        svg=pooled_figure_outputs("svg"),
        pdf=pooled_figure_outputs("pdf"),
    benchmark:
        "logs/benchmarks/pooled/pooled_figures.tsv"
    log:
        "logs/pooled/pooled_figures.log",
    params:
        sites=SITES,
        outcome_meta=lambda wildcards: outcome_meta(),
        formats=FIGURE_FORMATS,
    conda:
        ENV
    script:
        "../scripts/pooled_figures.py"


rule pooled_report:
    input:
        notebook=workflow.source_path("../../notebooks/pooled.py"),
        meta_analysis=rules.pool.output.meta_analysis,
        figures=rules.pooled_figures.output.table,
        figure_images=rules.pooled_figures.output.png,
        paired_tests=expand("results/{site}/paired_tests.csv", site=SITES),
    output:
        ipynb="results/pooled/report/pooled.ipynb",
        html=report(
            "results/pooled/report.html",
            caption="../report/report.rst",
            category="Pooled",
            labels={"site": "pooled", "document": "pooled report"},
        ),
    benchmark:
        "logs/benchmarks/pooled/pooled_report.tsv"
    log:
        stderr="logs/pooled/pooled_report.log",
        notebook="logs/pooled/pooled-failed.ipynb",
    params:
        sites=SITES,
        synthetic=all(config["sites"][s]["synthetic"] for s in SITES),
        title=config["report"]["title"] + " - pooled across sites",
        start_timeout=config["report"]["start_timeout"],
        execution_timeout=config["report"]["execution_timeout"],
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/pooled_report.py"


rule check_leaks_pooled:
    input:
        rosters=expand("{data_dir}/roster.csv", data_dir=[config["sites"][s]["data_dir"] for s in SITES]),
        outputs=[rules.pooled_report.output.html, rules.pooled_figures.output.table],
    output:
        summary="results/pooled/leak_check.txt",
    benchmark:
        "logs/benchmarks/pooled/check_leaks_pooled.tsv"
    log:
        "logs/pooled/check_leaks.log",
    params:
        roots=["results/pooled", "logs/pooled"],
        linkage_keys=[str(Path(config["secure_dir"]) / s / "linkage_key.csv") for s in SITES],
        sites=SITES,
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/check_leaks_pooled.py"
