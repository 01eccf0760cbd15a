# Helpers, input functions and validation. No rules here (snakemake --lint).

import sys
from pathlib import Path

WORKFLOW_DIR = Path(workflow.basedir) / "workflow"
# The package is installed into the environment (make / environment.yml); the path below makes
# the same source importable when the workflow runs from a plain checkout.
sys.path.insert(0, str(WORKFLOW_DIR))

from parentgroup import warm_worker  # noqa: E402
from parentgroup.figure_names import POOLED_NAMES, figure_formats  # noqa: E402
from parentgroup.snakemake_overheads import (  # noqa: E402
    compare_params_without_importing_pandas,
    lift_local_job_rate_limit,
)
from parentgroup.study_config import ConfigError, analysis_config, validate_config  # noqa: E402

try:
    validate_config(config)
except ConfigError as error:
    sys.exit(str(error))

SITES = sorted(config["sites"])
# what the rules see of the config: without the execution settings (warm_worker, site_outputs),
# so that switching those reruns nothing and the reports record only what shapes the results
ANALYSIS_CONFIG = analysis_config(config)
# full: every site's figures and report as well as its tables; tables: the tables only
SITE_OUTPUTS = config["site_outputs"]
OUTCOMES = [outcome["id"] for outcome in config["outcomes"]]
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


wildcard_constraints:
    site="|".join(SITES) if SITES else "no-site",


def site_cfg(wildcards):
    """The site's config entry (a plain dict: params must pickle across pandas versions)."""
    return config["sites"][wildcards.site]


def site_data_dir(site):
    return Path(config["sites"][site]["data_dir"])


def instrument_files(site):
    """The instrument definitions in use (package folder or the site's own), for rerun triggers."""
    files = []
    for name in config["instruments"]:
        own = site_data_dir(site) / f"{name}.yaml"
        files.append(own if own.exists() else WORKFLOW_DIR / "instruments" / f"{name}.yaml")
    return [str(f) for f in files]


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
    }
    for name, path in optional.items():
        if path is not None and path.is_file():
            files[name] = path
    inputs = {name: str(path) for name, path in files.items()}
    transcripts = data_dir / cfg["transcripts"] if cfg["transcripts"] else None
    inputs["transcripts"] = (
        sorted(str(p) for p in transcripts.iterdir() if p.suffix in {".txt", ".docx"})
        if transcripts is not None and transcripts.is_dir()
        else []
    )
    inputs["instruments"] = instrument_files(wildcards.site)
    return inputs


_OUTCOME_META = {}


def outcome_meta():
    """Outcome id -> label, instrument, scale, scoring, direction and score range (read once)."""
    if not _OUTCOME_META:
        from parentgroup.outcomes import outcome_meta as build

        try:
            _OUTCOME_META.update(build(config))
        except ConfigError as error:
            sys.exit(str(error))
    return dict(_OUTCOME_META)


def figure_names():
    from parentgroup.figure_names import figure_names as names

    return names(OUTCOMES)


def final_outputs():
    """What `snakemake` builds by default: every site's report (unless config site_outputs is
    tables) and leak check, and the pooled analysis when more than one site is configured."""
    targets = []
    for site in SITES:
        if SITE_OUTPUTS == "full":
            targets.append(f"results/{site}/report.html")
        targets.append(f"results/{site}/leak_check.txt")
    if len(SITES) > 1:
        targets += ["results/pooled/report.html", "results/pooled/leak_check.txt"]
    return targets


def raw_input_list(wildcards):
    """The raw files of a site as one flat list (for provenance checksums)."""
    files = []
    for value in raw_inputs(wildcards).values():
        files += value if isinstance(value, list) else [value]
    return files


def figure_outputs(ext):
    """The site's figure files of one format, keeping the {site} wildcard (none for a format
    that config figures.formats leaves out)."""
    if ext not in FIGURE_FORMATS:
        return []
    return [f"results/{{site}}/figures/{name}.{ext}" for name in figure_names()]


def pooled_figure_outputs(ext):
    """The pooled figure files of one format (none for a format left out)."""
    if ext not in FIGURE_FORMATS:
        return []
    return [f"results/pooled/figures/{name}.{ext}" for name in POOLED_NAMES]


mark_for_report = report  # `report` at the start of a line is a Snakefile keyword


def figure_report_outputs(ext):
    """The same, each marked for `snakemake --report` with its figure family's caption."""
    return [
        mark_for_report(
            path,
            caption=f"../report/figures/{name.split('_')[0] if name.startswith('change_') else name}.rst",
            category="Figures",
            subcategory="{site}",
            labels={"site": "{site}", "figure": name},
        )
        for name, path in zip(figure_names(), figure_outputs(ext))
    ]


# Snakemake's own overheads (parentgroup/snakemake_overheads.py): params are compared without
# importing pandas, and local runs drop the job-submission rate limit once the scheduler exists.
compare_params_without_importing_pandas()


# Local runs start their jobs as forks of one warm worker that has done the imports
# (parentgroup/warm_worker.py; config warm_worker). A remote executor's jobs start as before.
# Its log (imports and job counts, nothing from the data) sits beside Snakemake's own internal
# files: logs/ is for the rules' logs, which the leak checks scan per site.
WARM_WORKER = []
WARM_WORKER_LOG = ".snakemake/warm_worker.log"


def stop_warm_worker():
    while WARM_WORKER:
        WARM_WORKER.pop().stop()


onstart:
    lift_local_job_rate_limit(workflow)
    if config["warm_worker"] and workflow.local_exec and not workflow.remote_exec:
        WARM_WORKER.extend(filter(None, [warm_worker.start(WARM_WORKER_LOG)]))


onsuccess:
    stop_warm_worker()


onerror:
    stop_warm_worker()
