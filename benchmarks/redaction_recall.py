"""Per-category recall and precision of the redactor on the annotated gold set (span level).

Usage: python benchmarks/redaction_recall.py [gold_dir]   (default tests/gold)
Exits non-zero when recall is below 100% for any roster identifier or pattern category.
"""

from __future__ import annotations

import sys
from pathlib import Path

from parentgroup.anonymisation.evaluation import evaluate_gold_set

gold = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "tests/gold"
table = evaluate_gold_set(gold)
print(table.to_string(index=False, formatters={"recall": "{:.3f}".format}))
categories = table[~table["category"].str.contains(" ")]
missed = categories[categories["recall"] < 1.0]
if not missed.empty:
    sys.exit(f"recall below 100% for: {', '.join(missed['category'])}")
