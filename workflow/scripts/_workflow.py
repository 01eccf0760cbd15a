"""Start-up shared by every rule script: the rule's log receives stderr and logging, and the
parentgroup package beside this folder is importable even when it is not installed (for
example in a `--sdm conda` environment)."""

import logging
import sys
from pathlib import Path


def start(snakemake, log: str | None = None) -> logging.Logger:
    """Send stderr and logging to the rule's log file; return the script's logger."""
    package_root = str(Path(__file__).resolve().parents[1])
    if package_root not in sys.path:
        sys.path.insert(0, package_root)
    # in a local run, hand the job to the warm worker (which runs this script again, with its
    # imports done) and exit with its status; without a worker this returns at once
    from parentgroup.warm_worker import delegate

    delegate()
    path = log or (snakemake.log.get("stderr") if hasattr(snakemake.log, "get") else None)
    sys.stderr = open(path or snakemake.log[0], "w", buffering=1)  # noqa: SIM115
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.captureWarnings(True)
    sys.excepthook = _report_user_errors
    return logging.getLogger(f"rule.{snakemake.rule}")


#: Exceptions that describe bad input or a privacy stop: their message is the whole story
#: (file, row, column, value, expected), so no traceback is printed.
USER_FACING = {"InputError", "ConfigError", "LeakFound", "KeyPathError"}


def _report_user_errors(exc_type, exc, tb):
    if exc_type.__name__ in USER_FACING or getattr(exc_type, "user_facing", False):
        print(str(exc), file=sys.stderr)
    else:
        sys.__excepthook__(exc_type, exc, tb)
