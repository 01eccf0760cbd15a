# Stage 1: every problem in every input file, all at once, before any work.


rule validate_inputs:
    input:
        unpack(raw_inputs),
    output:
        problems="results/{site}/validation/input_problems.csv",
    benchmark:
        "logs/benchmarks/{site}/validate_inputs.tsv"
    log:
        "logs/{site}/validate_inputs.log",
    params:
        site_cfg=site_cfg,
        config=ANALYSIS_CONFIG,
    conda:
        ENV
    script:
        "../scripts/validate_inputs.py"
