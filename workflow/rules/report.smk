# Stage 6: the integration notebook (jupytext) executed by papermill, rendered without code, with
# the config that shaped the site's results and the provenance of its inputs; and the same report
# as a PDF (WeasyPrint; print stylesheet, page numbers, the synthetic-data notice on every page),
# drawn by the same job. No PDF where Pango is missing (with a message) or with config
# report.pdf: false.


# the report job's PDF output, when it draws one
REPORT_PDF_OUTPUT = (
    {
        "pdf": report(
            "results/{site}/report.pdf",
            caption="../report/report_pdf.rst",
            category="Report",
            labels={"site": "{site}", "document": "mixed-methods report (PDF)"},
        )
    }
    if PDF_SUPPORTED
    else {}
)


rule report:
    input:
        notebook=str(NOTEBOOKS / "report.py"),
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        anonymisation_summary=rules.anonymise.output.summary,
        disclosure=rules.anonymise.output.disclosure,
        reliability=rules.score.output.reliability,
        scores=rules.score.output.scores,
        analysis=rules.analyse.output,
        qualitative=rules.qualitative.output,
        figures=rules.figures.output.figures,
        controlled=controlled_outputs,
        informants=informant_outputs,
        journey=[
            "results/{site}/invitation_flow.csv",
            "results/{site}/retention.csv",
            "results/{site}/goal_summary.csv",
            "results/{site}/decline_barriers.csv",
        ],
        raw=raw_input_list,
    output:
        **REPORT_PDF_OUTPUT,
        ipynb="results/{site}/report/report.ipynb",
        html=report(
            "results/{site}/report.html",
            caption="../report/report.rst",
            category="Report",
            labels={"site": "{site}", "document": "mixed-methods report"},
        ),
        config_dump="results/{site}/report/config_used.yaml",
        provenance="results/{site}/report/provenance.json",
    # a failing notebook is kept beside the log as <name>-failed.ipynb (not declared: Snakemake
    # would leave an empty one after every successful run)
    log:
        stderr="logs/{site}/report.log",
    benchmark:
        "logs/benchmarks/{site}/report.tsv"
    # on the critical path of a site (see rule figures)
    priority: 10
    conda:
        ENV
    params:
        study=site_settings(),
        results_dir=lambda wildcards: f"results/{wildcards.site}",
        processed_dir=lambda wildcards: f"data/processed/{wildcards.site}",
    script:
        "../scripts/report.py"


# The manuscript tables as a Word document in APA style: descriptives and paired tests,
# reliability, the statistics-by-themes joint display.
rule manuscript_tables:
    input:
        paired_tests=rules.analyse.output.paired_tests,
        reliability=rules.score.output.reliability,
        joint_display_outcomes=rules.qualitative.output.joint_display_outcomes,
    output:
        docx=report(
            "results/{site}/manuscript_tables.docx",
            caption="../report/manuscript_tables.rst",
            category="Report",
            labels={"site": "{site}", "document": "manuscript tables (Word)"},
        ),
    log:
        "logs/{site}/manuscript_tables.log",
    benchmark:
        "logs/benchmarks/{site}/manuscript_tables.tsv"
    conda:
        ENV
    params:
        title=lambda wildcards: STUDIES[wildcards.site]["report"]["title"],
        synthetic=lambda wildcards: bool(site_entry(wildcards)["synthetic"]),
        confidence_level=lambda wildcards: STUDIES[wildcards.site]["analysis"]["confidence_level"],
    script:
        "../scripts/manuscript_tables.py"
