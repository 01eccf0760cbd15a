"""How often a quoted parent can be tied to one case of the case-level joint display by the
themes they are quoted under, over random linkage keys (the quotes chosen depend on the key).

Usage: python benchmarks/quote_linkage.py [trials] [--no-fit]   (after a demo run; default 100)

Relabels the demo's processed tables with a random permutation of the pseudonyms (as a fresh
linkage key would), runs the qualitative stage and counts quote codes whose quoted themes fit
exactly one case (or that are case codes). ``--no-fit`` switches off
``parentgroup.disclosure.quotes_fitting_cases`` to show what it prevents.
"""

from __future__ import annotations

import random
import re
import sys
from unittest import mock

import yaml

import parentgroup.qualitative as qualitative
from parentgroup.config import site_study, validate_config
from parentgroup.tables import read_named

CODE = re.compile(r"\bP\d{2,}\b")


def relabel(frame, mapping):
    frame = frame.copy()
    for column in frame.columns:
        if column == "pseudonym":
            frame[column] = frame[column].astype(str).map(lambda v: mapping.get(v, v))
        elif frame[column].dtype == object:
            frame[column] = frame[column].astype(str).map(
                lambda v: CODE.sub(lambda m: mapping.get(m.group(), m.group()), v))
    return frame


def linked_quotes(tables) -> int:
    names = dict(zip(tables["themes"]["theme_id"], tables["themes"]["name"], strict=True))
    present = {r["pseudonym"]: {t.strip() for t in str(r["themes_present"]).split(";")
                                if t.strip()}
               for r in tables["joint_display_cases"].to_dict("records")}
    count = 0
    for code, rows in tables["quotes"].groupby("pseudonym"):
        quoted = {names.get(t, t) for t in rows["theme_id"]}
        count += code in present or sum(quoted <= s for s in present.values()) == 1
    return count


def main() -> None:
    trials = int(next((a for a in sys.argv[1:] if a.isdigit()), 100))
    fit = "--no-fit" not in sys.argv
    config = site_study(validate_config(yaml.safe_load(open("config.yaml", encoding="utf-8"))),
                        "demo")
    tables = {
        "excerpts": read_named("data/processed/demo/coded_excerpts.csv", "coded_excerpts"),
        "participants": read_named("data/processed/demo/participants.csv", "participants"),
        "paired_tests": read_named("results/demo/paired_tests.csv", "paired_tests"),
        "reliable_change": read_named("results/demo/reliable_change.csv", "reliable_change"),
    }
    codes = sorted(tables["participants"]["pseudonym"].astype(str))
    rng = random.Random(1)
    runs, links, shown = 0, 0, []
    for _ in range(trials):
        permuted = codes[:]
        rng.shuffle(permuted)
        mapping = dict(zip(codes, permuted, strict=True))
        inputs = {k: (v if k == "paired_tests" else relabel(v, mapping)) for k, v in tables.items()}
        patch = (mock.patch.object(qualitative, "quotes_fitting_cases", lambda q, c, k: q)
                 if not fit else mock.patch.object(qualitative, "log"))
        with patch:
            result = qualitative.summarise_site(**inputs, config=config)
        found = linked_quotes(result)
        runs += found > 0
        links += found
        shown.append(len(result["quotes"]))
    print(f"theme-fit rule {'on' if fit else 'off'}: {trials} random keys, {runs} with a quoted "
          f"parent tied to one case ({links} quote codes); quotes shown {min(shown)}-{max(shown)}")


if __name__ == "__main__":
    main()
