# Stage 6: the integration notebook (jupytext) executed by papermill, rendered without code,
# with the config that shaped the site's results and the provenance of its inputs.


rule report:
    input:
        notebook=str(NOTEBOOKS / "report.py"),
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        anonymisation_summary=rules.anonymise.output.summary,
        disclosure=rules.anonymise.output.disclosure,
        reliability=rules.score.output.reliability,
        analysis=rules.analyse.output,
        qualitative=rules.qualitative.output,
        figures=rules.figures.output.figures,
        controlled=controlled_outputs,
        informants=informant_outputs,
        raw=raw_input_list,
    output:
        ipynb="results/{site}/report/report.ipynb",
        html=report(
            "results/{site}/report.html",
            caption="../report/report.rst",
            category="Report",
            labels={"site": "{site}", "document": "mixed-methods report"},
        ),
        config_dump="results/{site}/report/config_used.yaml",
        provenance="results/{site}/report/provenance.json",
    log:
        stderr="logs/{site}/report.log",
        notebook="logs/{site}/report-failed.ipynb",
    benchmark:
        "logs/benchmarks/{site}/report.tsv"
    conda:
        ENV
    params:
        study=site_settings(),
        results_dir=lambda wildcards: f"results/{wildcards.site}",
        processed_dir=lambda wildcards: f"data/processed/{wildcards.site}",
    script:
        "../scripts/report.py"
