# The independent leak check: every file written outside data/raw/ and the secure directory is
# scanned for every roster identifier and every name in the site's identifiers file; a hit
# fails the run (the message never shows the value) and moves every file that has one into the
# site's secure folder (quarantine/), so that none stays among the outputs; the next run
# rebuilds them.


rule leak_check:
    input:
        roster=lambda wildcards: str(site_data_dir(wildcards.site) / "roster.csv"),
        identifiers=lambda wildcards: identifiers_file(wildcards.site),
        # One output of every job of the site, so that the check runs after all of them; it
        # scans the folders (params.roots), so it also sees files no rule declares.
        validation=rules.validate.output.problems,
        anonymised=rules.anonymise.output.participants,
        scores=rules.score.output.shared_scores,
        analysis=rules.analyse.output.paired_tests,
        qualitative=rules.qualitative.output.themes,
        controlled=controlled_outputs,
        informants=informant_outputs,
        # none with config site_outputs: tables (switching to full reruns the check after them):
        # the family sheets and the staff summary are documents, like the report
        family_sheets=(rules.family_sheets.output.manifest if SITE_OUTPUTS == "full" else []),
        staff_summary=rules.staff_summary.output.html if SITE_OUTPUTS == "full" else [],
        figures=rules.figures.output.figures if SITE_OUTPUTS == "full" else [],
        report=rules.report.output.html if SITE_OUTPUTS == "full" else [],
        manuscript_tables=(rules.manuscript_tables.output.docx if SITE_OUTPUTS == "full" else []),
    output:
        summary="results/{site}/leak_check.txt",
    log:
        "logs/{site}/leak_check.log",
    benchmark:
        "logs/benchmarks/{site}/leak_check.tsv"
    conda:
        ENV
    # the last job of a site: two workers scan the files when it runs alone (the same summary)
    threads: SITE_JOB_THREADS
    params:
        roots=lambda wildcards: [
            f"data/processed/{wildcards.site}",
            f"results/{wildcards.site}",
            f"logs/{wildcards.site}",
        ],
        key=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site / "linkage_key.csv"),
        quarantine=lambda wildcards: str(Path(config["secure_dir"]) / wildcards.site / "quarantine"),
        direct_identifiers=config["roster"]["direct_identifiers"],
        # tables: the documents of an earlier full run are removed before the check
        site_outputs=SITE_OUTPUTS,
    script:
        "../scripts/leak_check.py"
