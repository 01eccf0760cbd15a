# Parent learning groups: a reproducible mixed-methods evaluation.
# This file is the table of contents; the rules live in workflow/rules/, the logic in the
# package workflow/parentgroup/. Run: snakemake --cores 4   (see README.md)

from snakemake.utils import min_version

min_version("9.14.8")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/anonymise.smk"
include: "workflow/rules/score.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/qualitative.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/journey.smk"
include: "workflow/rules/leak_check.smk"
include: "workflow/rules/pooled.smk"


rule all:
    default_target: True
    input:
        final_outputs(),
