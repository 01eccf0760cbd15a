# Stage 6: the integration notebook (jupytext) executed by papermill, rendered without code.


rule integrate:
    input:
        notebook=workflow.source_path("../../notebooks/integration.py"),
        flow=rules.participant_flow.output.flow,
        participants=rules.anonymise.output.participants,
        attendance=rules.anonymise.output.attendance,
        paired_tests=rules.analyse.output.paired_tests,
        reliability=rules.score.output.reliability,
        reliable_change=rules.analyse.output.reliable_change,
        power=rules.analyse.output.power,
        engagement=rules.analyse.output.engagement,
        dose_response=rules.analyse.output.dose_response,
        sensitivity=rules.analyse.output.sensitivity,
        response_shift=rules.analyse.output.response_shift,
        themes=rules.themes.output.themes,
        quotes=rules.themes.output.quotes,
        joint_outcomes=rules.joint_display.output.outcomes,
        joint_cases=rules.joint_display.output.cases,
        figures=rules.figures.output.table,
        figure_images=rules.figures.output.png,
        anonymisation_summary=rules.anonymise.output.summary,
        disclosure=rules.anonymise.output.disclosure,
        raw=raw_input_list,
    output:
        ipynb="results/{site}/report/integration.ipynb",
        html=report(
            "results/{site}/report.html",
            caption="../report/report.rst",
            category="Report",
            labels={"site": "{site}", "document": "mixed-methods report"},
        ),
        config_dump="results/{site}/report/config_used.yaml",
        provenance="results/{site}/report/provenance.json",
    benchmark:
        "logs/benchmarks/{site}/integrate.tsv"
    log:
        stderr="logs/{site}/integrate.log",
        notebook="logs/{site}/integration-failed.ipynb",
    params:
        site=lambda wildcards: wildcards.site,
        synthetic=lambda wildcards: config["sites"][wildcards.site]["synthetic"],
        title=config["report"]["title"],
        start_timeout=config["report"]["start_timeout"],
        execution_timeout=config["report"]["execution_timeout"],
        results_dir=lambda wildcards: f"results/{wildcards.site}",
        processed_dir=lambda wildcards: f"data/processed/{wildcards.site}",
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/integrate.py"
