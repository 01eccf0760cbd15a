"""Per-category recall and precision of the redactor on the annotated gold set.

Usage: python benchmarks/redaction_recall.py [gold_dir]   (default tests/gold)

Span level per category (a gold span is found when every character was replaced; a redaction
is a true positive when it overlaps a gold span, so a redacted decoy is a false positive),
token level (``\\w+`` tokens) over all categories, and the share of decoys left alone.
``correct_replacement`` counts found spans replaced by the expected text (``[Child of P04]``,
``[Teacher]``, ``[Phone]``). Exits non-zero when recall is below 100% for any roster identifier
or pattern category, or when a found identifier got the wrong replacement.
"""

from __future__ import annotations

import sys
from pathlib import Path

from parentgroup.anonymisation.evaluation import (
    PATTERN_CATEGORIES,
    ROSTER_CATEGORIES,
    evaluate_gold_set,
)

gold = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "tests/gold"
table = evaluate_gold_set(gold)
print(f"Redaction on the gold set {gold} (span level per category; token level in 'ALL (token)')")
print(table.to_string(index=False, na_rep="", float_format="{:.3f}".format))
checked = table[table["category"].isin([*ROSTER_CATEGORIES, *PATTERN_CATEGORIES])]
missed = checked[(checked["gold"] > 0) & (checked["recall"] < 1.0)]
wrong = checked[checked["correct_replacement"] < checked["found"]]
if not missed.empty or not wrong.empty:
    sys.exit(
        "redaction benchmark failed: "
        + "; ".join(
            [f"recall below 100% for {', '.join(missed['category'])}"] * (not missed.empty)
            + [f"wrong replacement in {', '.join(wrong['category'])}"] * (not wrong.empty)
        )
    )
