"""Rule anonymise: pseudonyms, redacted texts and generalised characteristics of the site."""

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
)
