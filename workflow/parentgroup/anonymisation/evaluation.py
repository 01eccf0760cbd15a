"""Evaluation of the redactor on an annotated gold set, the way de-identification tools are
tested (i2b2 / Philter token level, presidio-research span level).

Gold transcripts (``tests/gold/README.md``) mark every identifier inline as
``{{category|text}}`` (``{{child@G-03|Léo}}`` for another family's person,
``{{staff=Teacher|Mrs Raman}}`` for staff with their role) and every decoy, an ordinary phrase
that looks like a name ("grace period", "Will you", "in May"), as ``<<text>>``.

Span level, per category and per group of categories (names of people by kind, ordinary-word
names, staff, places, contact details, dates, official numbers):
    recall    = gold spans whose every character was replaced / gold spans
    precision = redactions of the category overlapping a gold span / redactions of the category
Token level (word tokens ``\\w+``), over all categories:
    recall    = gold tokens whose every character was replaced / gold tokens
    precision = redacted tokens inside a gold span / redacted tokens
A gold span's replacement is *correct* when exactly one redaction covers it and its text is the
expected one (``[Child of P04]`` for the child of the family whose pseudonym is P04); it is
*held* when it was replaced by the neutral ``[Name?]`` pending review (found, never leaked, but
not yet the person's code), and *wrong family* when another person's code replaced it (must
never happen). Decoys are counted as left alone, held for review or redacted; a redacted or held
decoy is a false positive. Every ordinary-word name occurrence, gold or decoy, must also be on
the review list (``listed``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from parentgroup.anonymisation.lexicon import TEMPLATES, lexicon_key
from parentgroup.anonymisation.redaction import Redactor

_MARK = re.compile(
    r"\{\{(?P<category>\w+)(?:@(?P<owner>[\w-]+)|=(?P<role>[^|]+))?\|(?P<text>.*?)\}\}"
    r"|<<(?P<decoy>.*?)>>", re.S)
ROSTER_CATEGORIES = ("parent", "child", "partner", "sibling", "family", "staff", "school",
                     "town")
PATTERN_CATEGORIES = ("email", "phone", "postcode", "date", "nhs_number", "url")
PATTERN_TAGS = {"email": "[Email]", "phone": "[Phone]", "postcode": "[Postcode]",
                "date": "[Date]", "nhs_number": "[NHS number]", "url": "[URL]"}
PEOPLE = ("parent", "child", "partner", "sibling", "family")
#: The groups reported besides each category (``ordinary-word names`` are the people's spans
#: whose text is a name that is also an ordinary word).
GROUPS = {
    "names of people (parent, child, partner, sibling, family)": PEOPLE,
    "ordinary-word names": (),
    "places (school, town)": ("school", "town"),
    "contact details (email, phone, postcode, url)": ("email", "phone", "postcode", "url"),
    "dates": ("date",),
    "official numbers (NHS)": ("nhs_number",),
}
ORDINARY_GROUP = "ordinary-word names"
SUMMARY_COLUMNS = ["category", "gold", "found", "recall", "held_for_review",
                   "correct_replacement", "wrong_family", "listed_for_review", "predicted",
                   "true_positive", "precision"]
_CODE = re.compile(r"\[(?:(?:Child|Partner|Sibling|Family) of )?P\d+\]")


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
    """One row per gold span, redaction, decoy and token: what was found, missed, held or
    over-redacted (columns ``file, kind, category, text, found, correct, held, wrong_family,
    ordinary, listed, got, expected``)."""
    redactor, pseudonyms, files = load_gold_set(gold_dir)
    ordinary = redactor.lexicon.ordinary
    rows = []

    def row(**values) -> None:
        base = {"held": False, "wrong_family": False, "ordinary": False, "listed": False,
                "got": "", "expected": ""}
        rows.append({**base, **values})

    for path in files:
        record_id = path.stem
        text, spans, decoys = parse_gold(path.read_text(encoding="utf-8"), record_id)
        _, changes, names = redactor.redact_with_review(text, record_id, path.name)
        listed = {n.offset for n in names}
        redacted = [(c.offset, c.offset + len(c.original), c) for c in changes]
        covered = set()
        for start, end, _ in redacted:
            covered.update(range(start, end))
        for span in spans:
            over = [c for s, e, c in redacted if s < span.end and span.start < e]
            found = all(i in covered for i in range(span.start, span.end))
            expected = expected_replacement(span, pseudonyms)
            correct = found and len(over) == 1 and over[0].replacement == expected
            span_text = text[span.start:span.end]
            is_ordinary = span.category in (*PEOPLE, "staff") and lexicon_key(span_text) in ordinary
            row(file=path.name, kind="gold", category=span.category, text=span_text,
                found=found, correct=correct,
                held=found and any(c.category == "held" for c in over),
                wrong_family=any(_CODE.fullmatch(c.replacement) and c.replacement != expected
                                 for c in over),
                ordinary=is_ordinary, listed=span.start in listed,
                got=" ".join(c.replacement for c in over), expected=expected)
        for start, end, change in redacted:
            hit = any(start < s.end and s.start < end for s in spans)
            row(file=path.name, kind="redaction", category=change.category,
                text=change.original, found=hit, correct=hit, held=change.category == "held",
                ordinary=lexicon_key(change.original) in ordinary, got=change.replacement)
        for start, end in decoys:
            over = [c for s, e, c in redacted if start < e and s < end]
            row(file=path.name, kind="decoy", category="decoy", text=text[start:end],
                found=not over, correct=not over, held=any(c.category == "held" for c in over),
                ordinary=True, listed=any(start <= o < end for o in listed),
                got=" ".join(c.replacement for c in over))
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
        for start, end in tokens:
            in_gold = any(s.start <= start and end <= s.end for s in spans)
            replaced = all(i in covered for i in range(start, end))
            if in_gold or replaced:
                row(file=path.name, kind="token", category="token", text="",
                    found=in_gold and replaced, correct=in_gold,
                    got="redacted" if replaced else "")
    return pd.DataFrame(rows)


def _summary_row(name: str, gold: pd.DataFrame, predicted: pd.DataFrame) -> list:
    return [name, len(gold), int(gold["found"].sum()), _ratio(gold["found"]),
            int(gold["held"].sum()), int(gold["correct"].sum()), int(gold["wrong_family"].sum()),
            int(gold["listed"].sum()) if len(gold) else 0, len(predicted),
            int(predicted["found"].sum()), _ratio(predicted["found"])]


def evaluate_gold_set(gold_dir: Path) -> pd.DataFrame:
    """Per-category and per-group span recall and precision, token-level totals, decoys.

    Columns: ``category, gold, found, recall, held_for_review, correct_replacement,
    wrong_family, listed_for_review, predicted, true_positive, precision``. ``listed_for_review``
    counts the spans that are on the review list (every ordinary-word name must be).
    """
    scored = score_gold_set(gold_dir)
    gold = scored[scored["kind"] == "gold"]
    redactions = scored[scored["kind"] == "redaction"]
    rows = []
    for category in [*ROSTER_CATEGORIES, *PATTERN_CATEGORIES]:
        rows.append(_summary_row(category, gold[gold["category"] == category],
                                 redactions[redactions["category"] == category]))
    for group, categories in GROUPS.items():
        if group == ORDINARY_GROUP:
            rows.append(_summary_row(group, gold[gold["ordinary"]],
                                     redactions[redactions["ordinary"]]))
        else:
            rows.append(_summary_row(group, gold[gold["category"].isin(categories)],
                                     redactions[redactions["category"].isin(categories)]))
    rows.append(_summary_row("ALL (span)", gold, redactions))
    tokens = scored[scored["kind"] == "token"]
    gold_tokens = tokens[tokens["correct"]]
    redacted_tokens = tokens[tokens["got"] == "redacted"]
    rows.append(["ALL (token)", len(gold_tokens), int(gold_tokens["found"].sum()),
                 _ratio(gold_tokens["found"]), None, None, None, None, len(redacted_tokens),
                 int(redacted_tokens["correct"].sum()), _ratio(redacted_tokens["correct"])])
    decoys = scored[scored["kind"] == "decoy"]
    for name, flags in (("decoys left alone", decoys["found"]),
                        ("decoys held for review", decoys["held"]),
                        ("decoys redacted as a name", ~decoys["found"] & ~decoys["held"])):
        rows.append([name, len(decoys), int(flags.sum()), _ratio(flags), None, None, None,
                     int(decoys["listed"].sum()), None, None, None])
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("gold", "found", "held_for_review", "correct_replacement", "wrong_family",
                   "listed_for_review", "predicted", "true_positive"):
        table[column] = table[column].astype("Int64")
    return table


def _ratio(flags: pd.Series) -> float:
    return float(flags.mean()) if len(flags) else float("nan")
