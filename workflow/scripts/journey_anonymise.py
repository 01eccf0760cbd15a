"""Rule journey_anonymise: goals (redacted, coded), invitations and lateness, pseudonymised."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.anonymisation.journey import anonymise_journey

anonymise_journey(
    site=snakemake.wildcards.site,
    study=snakemake.params.study,
    processed_dir=Path(snakemake.output.goals).parent,
    secure_dir=Path(snakemake.params.secure_dir),
    outputs={name: Path(getattr(snakemake.output, name))
             for name in ("goals", "invitations", "lateness", "baseline_form",
                          "baseline_texts")},
)
