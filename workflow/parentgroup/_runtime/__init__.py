"""How the workflow runs, not what it computes: workarounds for Snakemake's own overheads.
No stage imports this package; only workflow/rules/common.smk does."""
