"""Rule anonymise: pseudonyms, redacted texts and generalised characteristics of the site."""

from _workflow import start

log = start(snakemake)

from pathlib import Path

from parentgroup.anonymisation import anonymise_site

anonymise_site(
    site=snakemake.wildcards.site,
    study=snakemake.params.study,
    processed_dir=Path(snakemake.output.participants).parent,
    secure_dir=Path(snakemake.params.secure_dir),
)
