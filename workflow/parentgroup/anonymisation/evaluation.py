"""Evaluation of the redactor on an annotated gold set (the way de-identification tools are
tested: per-category recall and precision, i2b2 / presidio-research style, at span level).

Gold transcripts mark every identifier inline as ``{{category|text}}`` and every decoy (an
ordinary word that looks like a name: "grace period", "Will you") as ``<<text>>``. A gold span is
found when redaction replaced all of its characters; a redaction is a true positive when it
overlaps a gold span and a false positive otherwise (decoys redacted count here).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import yaml

from parentgroup.anonymisation.redaction import Redactor

_MARK = re.compile(r"\{\{(?P<category>\w+)\|(?P<text>.*?)\}\}|<<(?P<decoy>.*?)>>", re.S)
ROSTER_CATEGORIES = {"parent", "child", "partner", "sibling", "family", "other_parent",
                     "other_child", "staff", "school", "town"}


def parse_gold(marked: str) -> tuple[str, list[tuple[int, int, str]], list[tuple[int, int]]]:
    """Plain text, identifier spans (start, end, category) and decoy spans."""
    out, spans, decoys, cursor, position = [], [], [], 0, 0
    for match in _MARK.finditer(marked):
        out.append(marked[cursor : match.start()])
        position += match.start() - cursor
        text = match.group("text") if match.group("category") else match.group("decoy")
        if match.group("category"):
            spans.append((position, position + len(text), match.group("category")))
        else:
            decoys.append((position, position + len(text)))
        out.append(text)
        position += len(text)
        cursor = match.end()
    out.append(marked[cursor:])
    return "".join(out), spans, decoys


def evaluate_gold_set(gold_dir: Path) -> pd.DataFrame:
    """Per-category recall and precision of the redactor on ``gold_dir``."""
    gold_dir = Path(gold_dir)
    roster = pd.read_csv(gold_dir / "roster.csv", dtype=str, keep_default_na=False)
    identifiers = yaml.safe_load((gold_dir / "site.yaml").read_text(encoding="utf-8"))
    pseudonyms = {r: f"P{i + 1:02d}" for i, r in enumerate(roster["record_id"])}
    redactor = Redactor(roster, identifiers["identifiers"], pseudonyms)
    rows = []
    for path in sorted(gold_dir.glob("*.txt")):
        text, spans, decoys = parse_gold(path.read_text(encoding="utf-8"))
        _, changes = redactor.redact(text, path.stem, path.name)
        redacted = [(c.offset, c.offset + len(c.original)) for c in changes]
        for start, end, category in spans:
            covered = all(any(s <= i < e for s, e in redacted) for i in range(start, end))
            rows.append({"file": path.name, "category": category, "kind": "gold",
                         "found": covered})
        for start, end in redacted:
            hit = any(start < e and s < end for s, e, _ in spans)
            decoy = any(start < e and s < end for s, e in decoys)
            rows.append({"file": path.name, "category": "decoy" if decoy else "redaction",
                         "kind": "redaction", "found": hit})
        for start, end in decoys:
            rows.append({"file": path.name, "category": "decoy", "kind": "decoy",
                         "found": not any(start < e and s < end for s, e in redacted)})
    frame = pd.DataFrame(rows)
    gold = frame[frame["kind"] == "gold"].groupby("category")["found"].agg(["sum", "count"])
    gold["recall"] = gold["sum"] / gold["count"]
    redactions = frame[frame["kind"] == "redaction"]
    precision = redactions["found"].mean() if len(redactions) else float("nan")
    decoys_kept = frame[frame["kind"] == "decoy"]["found"]
    summary = gold.rename(columns={"sum": "found", "count": "gold"}).reset_index()
    summary.loc[len(summary)] = ["ALL (span precision)", int(redactions["found"].sum()),
                                 len(redactions), precision]
    summary.loc[len(summary)] = ["decoys left alone", int(decoys_kept.sum()), len(decoys_kept),
                                 decoys_kept.mean() if len(decoys_kept) else float("nan")]
    return summary
