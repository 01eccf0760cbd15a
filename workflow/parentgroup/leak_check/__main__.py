"""``python -m parentgroup.leak_check UNCHECKED --publish FINAL``: the leak check of Snakemake's
workflow report (``make report``).

``snakemake --report`` writes UNCHECKED; it is scanned against every site's roster and site
identifiers (:func:`parentgroup.leak_check.check_workflow_report`). Clean, it is moved to FINAL
and the summary written beside it (``FINAL`` with ``.leak_check.txt``); with a hit, UNCHECKED is
deleted, FINAL is not written, the safe hit lines are printed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from parentgroup.config import validate_config
from parentgroup.leak_check import check_workflow_report
from parentgroup.problems import UserFacingError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m parentgroup.leak_check",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="the workflow report to check")
    parser.add_argument("--publish", type=Path, required=True,
                        help="where the report goes when it is clean")
    parser.add_argument("--config", type=Path, default=Path("config.yaml"),
                        help="the workflow's config file (default: config.yaml)")
    args = parser.parse_args(argv)
    summary = args.publish.with_suffix(".leak_check.txt")
    try:
        config = validate_config(yaml.safe_load(args.config.read_text(encoding="utf-8")))
        scanned = check_workflow_report(config=config, report_path=args.report,
                                        summary_path=summary)
    except UserFacingError as error:
        args.report.unlink(missing_ok=True)
        print(f"make report: {args.publish} not written.\n{error}", file=sys.stderr)
        return 1
    args.report.replace(args.publish)
    print(f"leak check of the workflow report: {scanned} file scanned, no identifiers; "
          f"{args.publish} written (summary: {summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
