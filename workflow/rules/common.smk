# Helpers, input functions, params and validation. No rules here (snakemake --lint).
#
# Params are narrow: each rule receives only the config keys it uses, for its own site
# (site_settings below), and never an identifier: the names of staff, the school and the town
# live in each site's identifiers file and reach the anonymise and leak-check jobs as an input
# file. So a change to one setting reruns only the jobs that use it, a new site reruns none of
# the other sites' jobs, and Snakemake's messages and records (.snakemake/) hold no names.

import csv
import hashlib
import os
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

WORKFLOW_DIR = Path(workflow.basedir) / "workflow"
# The package is installed into the environment (make / environment.yml); the path below makes
# the same source importable when the workflow runs from a plain checkout.
sys.path.insert(0, str(WORKFLOW_DIR))

from parentgroup._runtime.snakemake_patches import (  # noqa: E402
    compare_params_without_importing_pandas,
    lift_local_job_rate_limit,
)
from parentgroup.config import (  # noqa: E402
    ConfigError,
    outcome_meta,
    pooled_study,
    select,
    site_key,
    site_study,
    validate_config,
)
from parentgroup.disclosure import withhold_allow_list  # noqa: E402
from parentgroup.outputs import POOLED_NAMES, figure_formats, pdf_support  # noqa: E402

try:
    validate_config(config)
except ConfigError as error:
    # Snakemake merges every config file: say which ones, so the key can be found
    merged = ", ".join(str(path) for path in workflow.configfiles) or "no config file"
    sys.exit(f"{error} (config files: {merged})")

SITES = sorted(config["sites"])
# each site's study config: the study-level settings with the site's own instruments,
# outcomes, themes and code map, and only this site's entry (parentgroup.config.site_study)
# (anonymisation.allow_list withheld: it may hold a surname; the anonymise job reads it from
# the config, and its params carry a digest; parentgroup.disclosure.withhold_allow_list)
STUDIES = {site: withhold_allow_list(site_study(config, site)) for site in SITES}
# full: every site's figures and report as well as its tables; tables: the tables only
SITE_OUTPUTS = config["site_outputs"]
# png always (the reports embed it); svg and pdf unless config figures.formats leaves them out
FIGURE_FORMATS = list(figure_formats(config["figures"]["formats"]))
ENV = "../envs/parentgroup.yaml"

for _site in SITES:
    _roster = Path(config["sites"][_site]["data_dir"]) / "roster.csv"
    if not _roster.exists():
        sys.exit(
            f"config: sites.{_site}.data_dir = {config['sites'][_site]['data_dir']!r} has no "
            "roster.csv; expected a folder with the site's files (README: 'Bring your own data')"
        )


# Two worker processes shorten a single site's longest jobs (figures, leak check). With several
# sites the other sites' jobs already fill the cores, and a two-thread job only waits until two
# cores are free at once, so each of those jobs takes one.
SITE_JOB_THREADS = 2 if len(SITES) == 1 else 1


def run_cores():
    """The run's --cores, or 1 when none is given (a dry run, --lint, a cluster run by --jobs)."""
    try:
        return int(workflow.cores)
    except (WorkflowError, TypeError, ValueError):
        return 1


# The figures job becomes ready while the family sheets (one core, about 4 s) still run beside
# analyse. Asking for two cores, on a two-core machine it waited until they finished (measured
# 2-4 s of the demo's 22-26 s); drawing alone on the free core finished sooner. With a third
# core both fit at once, and the two workers win again.
FIGURES_THREADS = SITE_JOB_THREADS if run_cores() >= 3 else 1

#: Parents per family-sheets worker. Each sheet's PDF takes about 0.2 s, so a site of 5000
#: parents spent some 17 minutes on one core; a site with more parents than this draws them
#: with more workers, up to the run's cores. The demo's 14 keep one core, beside analyse and
#: the figures (two would only wait for both to be free).
PARENTS_PER_SHEETS_WORKER = 250


def family_sheets_threads(wildcards):
    """One worker per PARENTS_PER_SHEETS_WORKER lines of the site's roster (counted, not
    read), at least one and at most the run's cores; one when the sheets are switched off."""
    if not STUDIES[wildcards.site].get("journey", {}).get("family_sheets", True):
        return 1
    roster = Path(config["sites"][wildcards.site]["data_dir"]) / "roster.csv"
    with open(roster, "rb") as handle:
        lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    return max(1, min(run_cores(), (lines - 1) // PARENTS_PER_SHEETS_WORKER))


wildcard_constraints:
    site="|".join(SITES) if SITES else "no-site",


def site_entry(wildcards):
    """The site's own config entry (data_dir, design, sessions, questionnaire, ...)."""
    return STUDIES[wildcards.site]["sites"][wildcards.site]


def site_settings(*keys):
    """A params function: the named keys (dotted for a nested key; ``site.<key>`` for a key of
    the site's own entry) of the site's study config, in the config's shape; with no keys, all
    of it (parentgroup.config.select)."""

    def settings(wildcards):
        study = STUDIES[wildcards.site]
        if not keys:
            return study
        entry = f"sites.{wildcards.site}."
        return select(study, *(entry + k[5:] if k.startswith("site.") else k for k in keys))

    return settings


def site_data_dir(site):
    return Path(config["sites"][site]["data_dir"])


def identifiers_file(site):
    """The site's identifiers file (staff, school and town names), or nothing when it has none."""
    name = config["sites"][site]["identifiers_file"]
    path = site_data_dir(site) / name if name else None
    return [str(path)] if path is not None and path.is_file() else []


# the package's instrument files, relative to the working directory like every other input, so
# that a moved or copied checkout does not look like a changed set of inputs
SHIPPED_INSTRUMENTS = Path(os.path.relpath(WORKFLOW_DIR / "instruments"))
NOTEBOOKS = Path(os.path.relpath(Path(workflow.basedir) / "notebooks"))


def instrument_files(site):
    """The instrument definitions the site uses (its own folder first, else the package's), so
    that editing one reruns its jobs."""
    files = []
    for name in STUDIES[site]["instruments"]:
        own = site_data_dir(site) / f"{name}.yaml"
        files.append(own if own.exists() else SHIPPED_INSTRUMENTS / f"{name}.yaml")
    return [str(f) for f in files]


def baseline_instrument_file(site):
    """The instrument file of the site's baseline form (config journey.baseline_instrument; the
    site's own folder first, else the package's), tracked only when the site has the form: the
    rules that read the form rerun when its items change."""
    if not (site_data_dir(site) / "baseline_form.csv").is_file():
        return []
    name = STUDIES[site].get("journey", {}).get("baseline_instrument", "baseline_child")
    for folder in (site_data_dir(site), SHIPPED_INSTRUMENTS):
        for suffix in (".yaml", ".yml"):
            if (folder / f"{name}{suffix}").is_file():
                return [str(folder / f"{name}{suffix}")]
    return []  # validate names the missing file


def raw_inputs(wildcards):
    """Every raw file of a site that exists (a site may lack interviews or attendance)."""
    cfg = config["sites"][wildcards.site]
    data_dir = Path(cfg["data_dir"])
    files = {"roster": data_dir / "roster.csv"}
    optional = {
        "attendance": data_dir / "attendance.csv",
        "questionnaire": data_dir / cfg["questionnaire"]["file"],
        "coding": data_dir / cfg["coding"]["file"] if cfg["coding"]["file"] else None,
        "review_decisions": (
            data_dir / cfg["review_decisions"] if cfg["review_decisions"] else None
        ),
        # the parents' journey (optional): invitations and goal-based outcomes
        "referrals": data_dir / "referrals.csv",
        "goals": data_dir / "goals.csv",
        "baseline_form": data_dir / "baseline_form.csv",
    }
    for name, path in optional.items():
        if path is not None and path.is_file():
            files[name] = path
    inputs = {name: str(path) for name, path in files.items()}
    inputs["identifiers"] = identifiers_file(wildcards.site)
    # the folder, not its files: transcripts are named by record id, which must not appear in
    # Snakemake's job listing or records; an edit inside it reruns through transcripts_digest
    folder = transcripts_folder(wildcards.site)
    inputs["transcripts"] = [str(folder)] if folder is not None else []
    inputs["instruments"] = instrument_files(wildcards.site)
    inputs["baseline_instrument"] = baseline_instrument_file(wildcards.site)
    return inputs


def transcripts_folder(site):
    cfg = config["sites"][site]
    folder = site_data_dir(site) / cfg["transcripts"] if cfg["transcripts"] else None
    return folder if folder is not None and folder.is_dir() else None


_TRANSCRIPT_DIGESTS = {}


def transcripts_digest(wildcards):
    """A params value that changes when any transcript is added, removed or edited: the SHA-256
    of the folder's .txt and .docx files (names and contents), never the names themselves."""
    site = wildcards.site
    if site not in _TRANSCRIPT_DIGESTS:
        folder = transcripts_folder(site)
        digest = hashlib.sha256()
        if folder is not None:
            for path in sorted(folder.iterdir()):
                if path.suffix in {".txt", ".docx"} and path.is_file():
                    digest.update(path.name.encode("utf-8") + b"\0")
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
        _TRANSCRIPT_DIGESTS[site] = digest.hexdigest()
    return _TRANSCRIPT_DIGESTS[site]


def raw_input_list(wildcards):
    """The raw files of a site as one flat list (for provenance checksums)."""
    files = []
    for value in raw_inputs(wildcards).values():
        files += value if isinstance(value, list) else [value]
    return files


_OUTCOME_META = {}


def outcomes_of(site):
    """Outcome id -> label, instrument, scale, scoring, direction and score range of the site's
    outcomes (from the instrument files; read once per site)."""
    if site not in _OUTCOME_META:
        try:
            _OUTCOME_META[site] = outcome_meta(
                STUDIES[site], where=site_key(config, site, "outcomes")
            )
        except ConfigError as error:
            sys.exit(str(error))
    return _OUTCOME_META[site]


def site_outcome_meta(wildcards):
    return outcomes_of(wildcards.site)


def outcome_informants(wildcards):
    """Outcome id -> who rates it (parent, teacher, observer: the instrument file's informant)."""
    return {oid: meta["informant"] for oid, meta in outcomes_of(wildcards.site).items()}


def pooled_outcome_meta(wildcards):
    """The same for every outcome any site measures (the first site's description wins)."""
    meta = {}
    for site in SITES:
        for outcome, entry in outcomes_of(site).items():
            meta.setdefault(outcome, entry)
    return meta


_COMPARISON_ARMS = {}


def site_has_comparison_arm(site):
    """Whether the site's roster puts any parent in the comparison arm (a controlled design):
    only the roster's ``arm`` column is read, never shown; read once per site."""
    if site not in _COMPARISON_ARMS:
        with open(site_data_dir(site) / "roster.csv", encoding="utf-8-sig", newline="") as f:
            _COMPARISON_ARMS[site] = any(
                (row.get("arm") or "").strip().casefold() == "comparison"
                for row in csv.DictReader(f)
            )
    return _COMPARISON_ARMS[site]


def controlled_outputs(wildcards):
    """The controlled analysis's tables and figure of a site with a comparison arm, else none
    (inputs of the report and the leak check)."""
    site = wildcards.site
    if not site_has_comparison_arm(site):
        return []
    files = [
        f"results/{site}/controlled.csv",
        f"results/{site}/paired_tests_by_arm.csv",
        f"results/{site}/reliable_change_by_arm.csv",
        f"results/{site}/attendance_by_arm.csv",
    ]
    if SITE_OUTPUTS == "full":
        files.append(f"results/{site}/arms")
    return files


# The sites with a comparison arm; two or more are pooled by rule pooled_controlled.
CONTROLLED_SITES = [site for site in SITES if site_has_comparison_arm(site)]


def pooled_controlled_outputs(wildcards):
    """The pooled between-arm table when two or more sites have a comparison arm, else none."""
    return ["results/pooled/controlled.csv"] if len(CONTROLLED_SITES) > 1 else []


def controlled_outcome_meta(wildcards):
    """pooled_outcome_meta over the controlled sites only."""
    meta = {}
    for site in CONTROLLED_SITES:
        for outcome, entry in outcomes_of(site).items():
            meta.setdefault(outcome, entry)
    return meta


def informant_outputs(wildcards):
    """The informant-agreement table of a site whose config names informants, else none."""
    if not config["sites"][wildcards.site].get("informants"):
        return []
    return [f"results/{wildcards.site}/informant_agreement.csv"]


# The PDF report needs WeasyPrint and the system's Pango library; without them the run leaves
# the PDF out and says why (the HTML report is complete on its own).
# config report.pdf: false leaves it out on purpose.
PDF_SUPPORTED, PDF_MISSING = pdf_support() if config["report"]["pdf"] else (True, "")
PDF_SUPPORTED = PDF_SUPPORTED and bool(config["report"]["pdf"])
if config["report"]["pdf"] and not PDF_SUPPORTED and SITE_OUTPUTS == "full":
    print(f"Note: no PDF report in this run: {PDF_MISSING}.", file=sys.stderr)


def final_outputs():
    """What `snakemake` builds by default: every site's report (unless config site_outputs is
    tables) and leak check, and the pooled analysis when more than one site is configured."""
    targets = []
    for site in SITES:
        if SITE_OUTPUTS == "full":
            targets.append(f"results/{site}/report.html")
            targets.append(f"results/{site}/manuscript_tables.docx")
            if PDF_SUPPORTED:
                targets.append(f"results/{site}/report.pdf")
        targets.append(f"results/{site}/leak_check.txt")
    if len(SITES) > 1:
        targets += ["results/pooled/report.html", "results/pooled/leak_check.txt"]
    return targets


def pooled_figure_outputs(ext):
    """The pooled figure files of one format (none for a format left out)."""
    if ext not in FIGURE_FORMATS:
        return []
    return [f"results/pooled/figures/{name}.{ext}" for name in POOLED_NAMES]


# Snakemake's own overheads (parentgroup/_runtime/snakemake_patches.py): params are compared
# without importing pandas, and local runs drop the job-submission rate limit once the
# scheduler exists. Each applies only to the Snakemake versions it was tested with.
compare_params_without_importing_pandas()


onstart:
    lift_local_job_rate_limit(workflow)
