"""Evaluation of the redactor on an annotated gold set, the way de-identification tools are
tested (i2b2 / Philter token level, presidio-research span level).

Gold transcripts (``tests/gold/README.md``) mark every identifier inline as
``{{category|text}}`` (``{{child@G-03|Léo}}`` for another family's person,
``{{staff=Teacher|Mrs Raman}}`` for staff with their role) and every decoy, an ordinary phrase
that looks like a name ("grace period", "Will you", "in May"), as ``<<text>>``.

Span level, per category:
    recall    = gold spans whose every character was replaced / gold spans
    precision = redactions of the category overlapping a gold span / redactions of the category
Token level (word tokens ``\\w+``), over all categories:
    recall    = gold tokens whose every character was replaced / gold tokens
    precision = redacted tokens inside a gold span / redacted tokens
A gold span's replacement is *correct* when exactly one redaction covers it and its text is the
expected one (``[Child of P04]`` for the child of the family whose pseudonym is P04). Decoys
redacted count as false positives (a redaction that overlaps no gold span).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from parentgroup.anonymisation.lexicon import TEMPLATES
from parentgroup.anonymisation.redaction import Redactor

_MARK = re.compile(
    r"\{\{(?P<category>\w+)(?:@(?P<owner>[\w-]+)|=(?P<role>[^|]+))?\|(?P<text>.*?)\}\}"
    r"|<<(?P<decoy>.*?)>>", re.S)
ROSTER_CATEGORIES = ("parent", "child", "partner", "sibling", "family", "staff", "school",
                     "town")
PATTERN_CATEGORIES = ("email", "phone", "postcode", "date", "nhs_number", "url")
PATTERN_TAGS = {"email": "[Email]", "phone": "[Phone]", "postcode": "[Postcode]",
                "date": "[Date]", "nhs_number": "[NHS number]", "url": "[URL]"}
SUMMARY_COLUMNS = ["category", "gold", "found", "recall", "correct_replacement", "predicted",
                   "true_positive", "precision"]


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    category: str
    owner: str  # record_id of the family the person belongs to ("" for staff and places)
    role: str  # staff role


def parse_gold(marked: str, record_id: str = ""
               ) -> tuple[str, list[GoldSpan], list[tuple[int, int]]]:
    """Plain text, identifier spans and decoy spans ``(start, end)`` of a marked-up text."""
    out, spans, decoys, cursor, position = [], [], [], 0, 0
    for match in _MARK.finditer(marked):
        out.append(marked[cursor:match.start()])
        position += match.start() - cursor
        category = match.group("category")
        text = match.group("text") if category else match.group("decoy")
        if category:
            owner = match.group("owner") or (record_id if category in TEMPLATES else "")
            spans.append(GoldSpan(position, position + len(text), category, owner,
                                  match.group("role") or ""))
        else:
            decoys.append((position, position + len(text)))
        out.append(text)
        position += len(text)
        cursor = match.end()
    out.append(marked[cursor:])
    return "".join(out), spans, decoys


def gold_pseudonyms(record_ids: list[str]) -> dict[str, str]:
    """A fixed, deliberately non-roster-order key for the gold set (P04, P01, P06, ...)."""
    order = sorted(record_ids, key=lambda r: (sum(map(ord, r)) * 7919) % 101)
    return {rid: f"P{order.index(rid) + 1:02d}" for rid in record_ids}


def expected_replacement(span: GoldSpan, pseudonyms: dict[str, str]) -> str:
    if span.category in PATTERN_TAGS:
        return PATTERN_TAGS[span.category]
    if span.category == "staff":
        return f"[{span.role}]"
    return TEMPLATES[span.category].replace("{p}", pseudonyms.get(span.owner, "?"))


def load_gold_set(gold_dir: Path) -> tuple[Redactor, dict[str, str], list[Path]]:
    gold_dir = Path(gold_dir)
    roster = pd.read_csv(gold_dir / "roster.csv", dtype=str, keep_default_na=False)
    identifiers = yaml.safe_load((gold_dir / "site.yaml").read_text(encoding="utf-8"))
    pseudonyms = gold_pseudonyms(list(roster["record_id"]))
    redactor = Redactor(roster, identifiers["identifiers"], pseudonyms)
    return redactor, pseudonyms, sorted(gold_dir.glob("G-*.txt"))


def score_gold_set(gold_dir: Path) -> pd.DataFrame:
    """One row per gold span, redaction and decoy: what was found, missed or over-redacted."""
    redactor, pseudonyms, files = load_gold_set(gold_dir)
    rows = []
    for path in files:
        record_id = path.stem
        text, spans, decoys = parse_gold(path.read_text(encoding="utf-8"), record_id)
        _, changes = redactor.redact(text, record_id, path.name)
        redacted = [(c.offset, c.offset + len(c.original), c) for c in changes]
        covered = set()
        for start, end, _ in redacted:
            covered.update(range(start, end))
        for span in spans:
            over = [c for s, e, c in redacted if s < span.end and span.start < e]
            found = all(i in covered for i in range(span.start, span.end))
            correct = (found and len(over) == 1
                       and over[0].replacement == expected_replacement(span, pseudonyms))
            rows.append({"file": path.name, "kind": "gold", "category": span.category,
                         "text": text[span.start:span.end], "found": found,
                         "correct": correct,
                         "got": " ".join(c.replacement for c in over),
                         "expected": expected_replacement(span, pseudonyms)})
        for start, end, change in redacted:
            hit = any(start < s.end and s.start < end for s in spans)
            rows.append({"file": path.name, "kind": "redaction", "category": change.category,
                         "text": change.original, "found": hit, "correct": hit,
                         "got": change.replacement, "expected": ""})
        for start, end in decoys:
            left = not any(start < e and s < end for s, e, _ in redacted)
            rows.append({"file": path.name, "kind": "decoy", "category": "decoy",
                         "text": text[start:end], "found": left, "correct": left,
                         "got": "", "expected": ""})
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        for start, end in tokens:
            in_gold = any(s.start <= start and end <= s.end for s in spans)
            replaced = all(i in covered for i in range(start, end))
            if in_gold or replaced:
                rows.append({"file": path.name, "kind": "token", "category": "token",
                             "text": "", "found": in_gold and replaced, "correct": in_gold,
                             "got": "redacted" if replaced else "", "expected": ""})
    return pd.DataFrame(rows)


def evaluate_gold_set(gold_dir: Path) -> pd.DataFrame:
    """Per-category span recall and precision, token-level totals, decoys left alone.

    Columns: ``category, gold, found, recall, correct_replacement, predicted, true_positive,
    precision``.
    """
    scored = score_gold_set(gold_dir)
    gold = scored[scored["kind"] == "gold"]
    redactions = scored[scored["kind"] == "redaction"]
    rows = []
    for category in [*ROSTER_CATEGORIES, *PATTERN_CATEGORIES]:
        g = gold[gold["category"] == category]
        r = redactions[redactions["category"] == category]
        rows.append([category, len(g), int(g["found"].sum()), _ratio(g["found"]),
                     int(g["correct"].sum()), len(r), int(r["found"].sum()),
                     _ratio(r["found"])])
    rows.append(["ALL (span)", len(gold), int(gold["found"].sum()), _ratio(gold["found"]),
                 int(gold["correct"].sum()), len(redactions), int(redactions["found"].sum()),
                 _ratio(redactions["found"])])
    tokens = scored[scored["kind"] == "token"]
    gold_tokens = tokens[tokens["correct"]]
    redacted_tokens = tokens[tokens["got"] == "redacted"]
    rows.append(["ALL (token)", len(gold_tokens), int(gold_tokens["found"].sum()),
                 _ratio(gold_tokens["found"]), float("nan"), len(redacted_tokens),
                 int(redacted_tokens["correct"].sum()), _ratio(redacted_tokens["correct"])])
    decoys = scored[scored["kind"] == "decoy"]
    rows.append(["decoys left alone", len(decoys), int(decoys["found"].sum()),
                 _ratio(decoys["found"]), float("nan"), float("nan"), float("nan"),
                 float("nan")])
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("gold", "found", "correct_replacement", "predicted", "true_positive"):
        table[column] = table[column].astype("Int64")
    return table


def _ratio(flags: pd.Series) -> float:
    return float(flags.mean()) if len(flags) else float("nan")
