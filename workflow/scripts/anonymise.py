"""Rule anonymise: pseudonyms, redacted texts and generalised characteristics of the site, and
the parents' journey tables pseudonymised with the same key."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.anonymisation import anonymise_site

# the allow-list's entries from the config: the params carry only a digest of them
study = snakemake.params.study
study["anonymisation"]["allow_list"] = list(
    (snakemake.config.get("anonymisation") or {}).get("allow_list") or []
)

anonymise_site(
    site=snakemake.wildcards.site,
    study=study,
    processed_dir=Path(snakemake.output.participants).parent,
    secure_dir=Path(snakemake.params.secure_dir),
    journey_outputs={name: Path(getattr(snakemake.output, name)) for name in (
        "goals", "invitations", "lateness", "baseline_form", "baseline_texts")},
)
