"""The motivated-intruder test of a finished site: what an insider holding the attendance sheet
can link to a person in the shared outputs (parentgroup.leak_check.intruder).

Usage: python benchmarks/motivated_intruder.py [site] [--config config.yaml]   (default: demo)

Prints one line per element linked to a person (LINKED) or allowed by the config (ALLOWED),
then a summary; exits non-zero when anything is linked that the config does not allow. Run it
after the pipeline, from the repository root.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from parentgroup.config import site_study, validate_config
from parentgroup.leak_check.intruder import motivated_intruder

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("site", nargs="?", default="demo")
parser.add_argument("--config", type=Path, default=Path("config.yaml"))
args = parser.parse_args()
config = validate_config(yaml.safe_load(args.config.read_text(encoding="utf-8")))
study = site_study(config, args.site)
data_dir = Path(config["sites"][args.site]["data_dir"])
links = motivated_intruder(
    attendance_path=data_dir / "attendance.csv",
    results_dir=Path("results") / args.site,
    processed_dir=Path("data/processed") / args.site,
    config=study,
)
for link in links:
    print(link.line())
linked = [link for link in links if not link.allowed]
routes = sorted({link.route for link in linked})
print(f"motivated intruder, site {args.site}: {len(linked)} element(s) linked to a person"
      + (f" ({', '.join(routes)})" if routes else "")
      + f", {len(links) - len(linked)} allowed by the config")
sys.exit(1 if linked else 0)
