"""Per-category recall and precision of the redactor on the annotated gold set.

Usage: python benchmarks/redaction_recall.py [gold_dir]   (default tests/gold)

Span level per category (a gold span is found when every character was replaced; a redaction
is a true positive when it overlaps a gold span, so a redacted decoy is a false positive),
token level (``\\w+`` tokens) over all categories, and the share of decoys left alone.
``correct_replacement`` counts found spans replaced by the expected text (``[Child of P04]``,
``[Teacher]``, ``[Phone]``); ``held_for_review`` counts those replaced by the neutral
``[Name?]`` until a reviewer decides. Groups: names of people by kind, ordinary-word names
(Hope, Will, May ...), staff, places, contact details, dates, official numbers. Exits non-zero
when recall is below 100% for any category, when a found identifier got a wrong replacement
(neither the expected one nor held), when another family's code replaced a name, or when an
ordinary-word name (gold or decoy) is missing from the review list.
"""

from __future__ import annotations

import sys
from pathlib import Path

from parentgroup.anonymisation.evaluation import (
    GROUPS,
    ORDINARY_GROUP,
    PATTERN_CATEGORIES,
    ROSTER_CATEGORIES,
    evaluate_gold_set,
)

gold = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "tests/gold"
table = evaluate_gold_set(gold)
print(f"Redaction on the gold set {gold} (span level per category; token level in 'ALL (token)')")
print(table.to_string(index=False, na_rep="", float_format="{:.3f}".format))
checked = table[table["category"].isin([*ROSTER_CATEGORIES, *PATTERN_CATEGORIES, *GROUPS])]
missed = checked[(checked["gold"] > 0) & (checked["recall"] < 1.0)]
wrong = checked[checked["correct_replacement"] + checked["held_for_review"] < checked["found"]]
other_family = checked[checked["wrong_family"] > 0]
ordinary = table.set_index("category").loc[ORDINARY_GROUP]
decoys = table.set_index("category").loc["decoys left alone"]
unlisted = (ordinary["listed_for_review"] < ordinary["gold"]
            or decoys["listed_for_review"] < decoys["gold"])
failures = (
    [f"recall below 100% for {', '.join(missed['category'])}"] * (not missed.empty)
    + [f"wrong replacement in {', '.join(wrong['category'])}"] * (not wrong.empty)
    + [f"another family's code in {', '.join(other_family['category'])}"]
    * (not other_family.empty)
    + ["an ordinary-word name or decoy missing from the review list"] * bool(unlisted)
)
if failures:
    sys.exit("redaction benchmark failed: " + "; ".join(failures))
