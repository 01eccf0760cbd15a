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
    path = log or (snakemake.log.get("stderr") if hasattr(snakemake.log, "get") else None)
    sys.stderr = open(path or snakemake.log[0], "w", buffering=1)  # noqa: SIM115
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.getLogger().handlers[0].addFilter(_without_font_subsetting_chatter)
    logging.captureWarnings(True)
    sys.excepthook = _report_user_errors
    return logging.getLogger(f"rule.{snakemake.rule}")


def _without_font_subsetting_chatter(record: logging.LogRecord) -> bool:
    """Keep fontTools' records below WARNING out of the log. WeasyPrint turns the fontTools
    logger to DEBUG while it subsets each font of a PDF, so without this a family-sheets log
    held some 2,500 lines of table and glyph bookkeeping per run."""
    return record.levelno >= logging.WARNING or not record.name.startswith("fontTools")


def _report_user_errors(exc_type, exc, tb):
    """A user-facing error (bad input, a config mistake, a leak: its message is the whole
    story and never holds an identifier) goes without a traceback to the rule's log and to the
    console, so that every way of starting Snakemake shows the problem list, profile or not.
    Anything else is a bug: its traceback goes to the log."""
    from parentgroup.problems import UserFacingError

    if issubclass(exc_type, UserFacingError):
        print(str(exc), file=sys.stderr)
        print(str(exc), file=sys.__stderr__)
    else:
        sys.__excepthook__(exc_type, exc, tb)
