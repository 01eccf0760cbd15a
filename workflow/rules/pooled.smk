# Several sites: random-effects meta-analysis per outcome, its forest plot, a pooled report and
# its leak check.


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
    log:
        "logs/pooled/pool.log",
    benchmark:
        "logs/benchmarks/pooled/pool.tsv"
    conda:
        ENV
    params:
        sites=SITES,
        outcomes=lambda wildcards: list(pooled_outcome_meta(wildcards)),
        confidence_level=config["analysis"]["confidence_level"],
    script:
        "../scripts/pool.py"


# Beside the two-stage meta-analysis: one mixed model over every site's scores (parents nested
# in sites), with the site variance and ICC and a note where the two approaches disagree.
rule multilevel:
    input:
        scores=expand("data/processed/{site}/scores.csv", site=SITES),
        participants=expand("data/processed/{site}/participants.csv", site=SITES),
        paired_tests=expand("results/{site}/paired_tests.csv", site=SITES),
    output:
        multilevel=report(
            "results/pooled/multilevel.csv",
            caption="../report/multilevel.rst",
            category="Pooled",
            labels={"site": "pooled", "table": "one-stage mixed model"},
        ),
    log:
        "logs/pooled/multilevel.log",
    benchmark:
        "logs/benchmarks/pooled/multilevel.tsv"
    conda:
        ENV
    params:
        sites=SITES,
        designs=[config["sites"][site]["design"] for site in SITES],
        outcomes=pooled_outcome_meta,
        confidence_level=config["analysis"]["confidence_level"],
        random_slopes=config["analysis"]["one_stage_random_slopes"],
    script:
        "../scripts/multilevel.py"


# Two or more sites with a comparison arm: the between-arm effect across them, one-stage (arm by
# time, parents nested in sites) beside the two-stage pooling of each site's controlled.csv.
rule pooled_controlled:
    input:
        scores=expand("data/processed/{site}/scores.csv", site=CONTROLLED_SITES),
        participants=expand("data/processed/{site}/participants.csv", site=CONTROLLED_SITES),
        controlled=expand("results/{site}/controlled.csv", site=CONTROLLED_SITES),
    output:
        controlled=report(
            "results/pooled/controlled.csv",
            caption="../report/pooled_controlled.rst",
            category="Pooled",
            labels={"site": "pooled", "table": "controlled sites pooled"},
        ),
    log:
        "logs/pooled/pooled_controlled.log",
    benchmark:
        "logs/benchmarks/pooled/pooled_controlled.tsv"
    conda:
        ENV
    params:
        sites=CONTROLLED_SITES,
        designs=[config["sites"][site]["design"] for site in CONTROLLED_SITES],
        outcomes=controlled_outcome_meta,
        confidence_level=config["analysis"]["confidence_level"],
    script:
        "../scripts/pooled_controlled.py"


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
    log:
        "logs/pooled/pooled_figures.log",
    benchmark:
        "logs/benchmarks/pooled/pooled_figures.tsv"
    conda:
        ENV
    params:
        sites=SITES,
        outcomes=pooled_outcome_meta,
        formats=FIGURE_FORMATS,
        synthetic=any(config["sites"][s].get("synthetic", False) for s in SITES),
    script:
        "../scripts/pooled_figures.py"


rule pooled_report:
    input:
        notebook=str(NOTEBOOKS / "pooled_report.py"),
        meta_analysis=rules.pool.output.meta_analysis,
        figures=rules.pooled_figures.output.table,
        figure_images=rules.pooled_figures.output.png,
        multilevel=rules.multilevel.output.multilevel,
        controlled=pooled_controlled_outputs,
        paired_tests=expand("results/{site}/paired_tests.csv", site=SITES),
    output:
        ipynb="results/pooled/report/pooled_report.ipynb",
        html=report(
            "results/pooled/report.html",
            # its own caption: report.rst reads the site wildcard, which a pooled output has not
            caption="../report/pooled_report.rst",
            category="Pooled",
            labels={"site": "pooled", "document": "pooled report"},
        ),
    # a failing notebook is kept beside the log as <name>-failed.ipynb (not declared: Snakemake
    # would leave an empty one after every successful run)
    log:
        stderr="logs/pooled/pooled_report.log",
    benchmark:
        "logs/benchmarks/pooled/pooled_report.tsv"
    conda:
        ENV
    params:
        sites=SITES,
        study=withhold_allow_list(pooled_study(config)),
    script:
        "../scripts/pooled_report.py"


rule pooled_leak_check:
    input:
        rosters=[str(site_data_dir(site) / "roster.csv") for site in SITES],
        identifiers=[path for site in SITES for path in identifiers_file(site)],
        outputs=[rules.pooled_report.output.html, rules.pooled_figures.output.table],
    output:
        summary="results/pooled/leak_check.txt",
    log:
        "logs/pooled/leak_check.log",
    benchmark:
        "logs/benchmarks/pooled/leak_check.tsv"
    conda:
        ENV
    params:
        roots=["results/pooled", "logs/pooled"],
        sites=SITES,
        identifiers=[(identifiers_file(site) or [""])[0] for site in SITES],
        linkage_keys=[str(Path(config["secure_dir"]) / s / "linkage_key.csv") for s in SITES],
        # a hit moves the flagged pooled files here (never shared; "pooled" is no site's name)
        quarantine=str(Path(config["secure_dir"]) / "pooled" / "quarantine"),
        direct_identifiers=config["roster"]["direct_identifiers"],
    script:
        "../scripts/pooled_leak_check.py"
