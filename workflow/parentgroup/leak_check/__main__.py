"""``python -m parentgroup.leak_check UNCHECKED --publish FINAL [-- SNAKEMAKE OPTIONS]``: the leak
check of Snakemake's workflow report (``make report``).

``snakemake --report`` writes UNCHECKED; it is scanned against every site's roster and site
identifiers (:func:`parentgroup.leak_check.check_workflow_report`). Clean, it is moved to FINAL
and the summary written beside it (``FINAL`` with ``.leak_check.txt``); with a hit, UNCHECKED is
deleted, FINAL is not written, the safe hit lines are printed and the exit status is 1.

The sites are those of the config the report was built with: the workflow's ``config.yaml``
merged, as Snakemake merges them, with the config options among the Snakemake options after
``--`` (``--configfile``, ``--config``, ``--replace-workflow-config``; ``make report ARGS="..."``
passes the same options to both). Snakemake's own parser reads them, so they mean exactly what
they meant to ``snakemake --report``; its other options are ignored.

A FINAL and a summary left by an earlier run are removed first, so that a failure never leaves
an earlier verdict beside a missing report; any failure (a leak, a missing file, a config
error) deletes UNCHECKED and prints a message, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from parentgroup.config import validate_config
from parentgroup.leak_check import check_workflow_report
from parentgroup.problems import UserFacingError


class _Failure(Exception):
    """A problem with the command's own inputs (a file that does not exist, bad options)."""


def workflow_config(workflow_config: Path, snakemake_options: Sequence[str]) -> dict:
    """The config Snakemake builds from the Snakefile's ``configfile:`` and the command-line
    options (``--configfile``/``--configfiles``, ``--config``, ``--replace-workflow-config``),
    merged as Snakemake merges them (``snakemake.workflow.Workflow.configfile``)."""
    from snakemake.cli import get_argument_parser, parse_config
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config

    options = argparse.Namespace(configfile=None, config=None, replace_workflow_config=False)
    if snakemake_options:
        parser = get_argument_parser()
        parser.exit_on_error = False
        try:
            options = parser.parse_args(list(snakemake_options))
        except (argparse.ArgumentError, SystemExit) as error:
            raise _Failure("Snakemake options not understood: "
                           f"{' '.join(snakemake_options)}") from error
    configfiles = [Path(p) for p in options.configfile or []]
    for path in [workflow_config, *configfiles]:
        if not path.is_file():
            raise _Failure(f"config file {path} does not exist")
    config: dict = {}
    update_config(config, load_configfile(str(workflow_config)) or {})
    overwrite: dict = {}
    for path in configfiles:
        update_config(overwrite, load_configfile(str(path)) or {})
    try:
        update_config(overwrite, parse_config(options.config))
    except ValueError as error:
        raise _Failure(f"--config: {error}") from error
    if overwrite:
        if options.replace_workflow_config:
            config = {}
        update_config(config, overwrite)
    return config


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    own, snakemake_options = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) \
        if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(prog="python -m parentgroup.leak_check",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the workflow report to check")
    parser.add_argument("--publish", type=Path, required=True,
                        help="where the report goes when it is clean")
    parser.add_argument("--workflow-config", type=Path, default=Path("config.yaml"),
                        help="the Snakefile's configfile (default: config.yaml)")
    parser.epilog = ("After --: the Snakemake options the report was built with (--configfile "
                     "FILE ..., --config KEY=VALUE ..., --replace-workflow-config).")
    args = parser.parse_args(own)
    summary = args.publish.with_suffix(".leak_check.txt")
    # an earlier run's report and verdict must not stay beside this run's outcome
    args.publish.unlink(missing_ok=True)
    summary.unlink(missing_ok=True)
    try:
        if not args.report.is_file():
            raise _Failure(f"{args.report} does not exist: snakemake --report did not write it "
                           "(see its messages above)")
        config = validate_config(workflow_config(args.workflow_config, snakemake_options))
        scanned = check_workflow_report(config=config, report_path=args.report,
                                        summary_path=summary)
    except (UserFacingError, _Failure) as error:
        return _fail(args, str(error))
    except OSError as error:  # a roster or key that cannot be read: its name, not a traceback
        return _fail(args, f"cannot read {error.filename or 'a file'}: "
                           f"{error.strerror or type(error).__name__}")
    args.report.replace(args.publish)
    print(f"leak check of the workflow report: {scanned} file scanned, no identifiers; "
          f"{args.publish} written (summary: {summary})")
    return 0


def _fail(args: argparse.Namespace, message: str) -> int:
    args.report.unlink(missing_ok=True)
    print(f"make report: {args.publish} not written.\n{message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
