# The independent leak check: every file written outside data/raw/ and the secure directory is
# scanned for every roster identifier; a hit fails the run (the message never shows the value).


rule check_leaks:
    input:
        roster=lambda wildcards: str(site_data_dir(wildcards.site) / "roster.csv"),
        # One output of every job of the site, so that the check runs after all of them; it
        # scans the folders (params.roots), so it also sees files no rule declares. Listing each
        # of the 33 figure files as well would only make Snakemake stat them in every
        # scheduling round (benchmarks/README.md, "Snakemake's own scheduling").
        validation=rules.validate_inputs.output.problems,
        anonymised=rules.anonymise.output.participants,
        scores=rules.score.output.scores,
        flow=rules.participant_flow.output.flow,
        themes=rules.themes.output.themes,
        analysis=rules.analyse.output.paired_tests,
        joint_display=rules.joint_display.output.cases,
        # none with config site_outputs: tables (switching to full reruns the check after them)
        figures=rules.figures.output.table if SITE_OUTPUTS == "full" else [],
        report=rules.integrate.output.html if SITE_OUTPUTS == "full" else [],
    output:
        summary="results/{site}/leak_check.txt",
    # the last job of a site: two workers scan the files when it runs alone (the same summary)
    threads: SITE_JOB_THREADS
    benchmark:
        "logs/benchmarks/{site}/check_leaks.tsv"
    log:
        "logs/{site}/check_leaks.log",
    params:
        roots=lambda wildcards: [
            f"data/processed/{wildcards.site}",
            f"results/{wildcards.site}",
            f"logs/{wildcards.site}",
        ],
        key=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site / "linkage_key.csv"),
        site_cfg=site_cfg,
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/check_leaks.py"
