"""Questionnaire definitions as data: one YAML file per instrument, checked against a schema.

An instrument file (``workflow/instruments/<name>.yaml``, or ``<name>.yaml`` in a site's
``data_dir``) names the items, the response scale and its anchors, an optional declared recode,
the reverse-keyed items for each anchor direction, the scales with their items, scorings and
direction of improvement, and the missing-item rule. It is validated against
``workflow/schemas/instrument.schema.yaml`` (JSON Schema draft 2020-12) and then against the
rules a schema cannot express (item numbers 1..k, scale items that exist, a reverse key for the
anchor direction in use, ...). Every problem names the file and the key, e.g.
``prfq.yaml, column 'scales.0.items': value '[1, 4, 19]'; expected item numbers from 1 to 18``.

A replication site adds an instrument by adding a file and naming it in ``config.yaml``; no code
changes. A site file overrides the package file of the same name.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml
from jsonschema import Draft202012Validator

import parentgroup
from parentgroup.problems import ERROR, InputProblem, raise_if_errors

log = logging.getLogger(__name__)

PACKAGE_INSTRUMENT_DIR = Path(parentgroup.__file__).resolve().parents[1] / "instruments"
SCHEMA_PATH = Path(parentgroup.__file__).resolve().parents[1] / "schemas" / "instrument.schema.yaml"
DIRECTIONS = ("lower_better", "higher_better", "mid_optimal")
DEFAULT_MISSING_CODES = ("", "NA", "-99", "999")


@dataclass(frozen=True)
class Recode:
    """A declared recode of presented values onto the response scale: ``scored = x + add``."""

    from_min: int
    from_max: int
    add: int
    note: str = ""


@dataclass(frozen=True)
class Scale:
    """One scale (subscale or total) of an instrument."""

    id: str
    label: str
    items: tuple[int, ...]
    scorings: tuple[str, ...]
    direction: str
    interpretation: str
    max_missing: int


@dataclass(frozen=True)
class Instrument:
    """A questionnaire definition loaded from its YAML file (see the module docstring)."""

    name: str
    title: str
    citation: str
    notes: str
    items: dict[int, str]
    response_min: int
    response_max: int
    anchor_direction: str
    labels: dict[int, str]
    reverse_keys: dict[str, tuple[int, ...]]
    scales: tuple[Scale, ...]
    missing_codes: tuple[str, ...]
    recode: Recode | None = None
    source: str = ""
    definition: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def item_numbers(self) -> list[int]:
        return sorted(self.items)

    @property
    def reverse_items(self) -> tuple[int, ...]:
        """Items reversed for the anchor direction of this file (empty if none are)."""
        return self.reverse_keys.get(self.anchor_direction, ())

    @property
    def presented_min(self) -> int:
        return self.recode.from_min if self.recode else self.response_min

    @property
    def presented_max(self) -> int:
        return self.recode.from_max if self.recode else self.response_max

    def scale(self, scale_id: str) -> Scale:
        for scale in self.scales:
            if scale.id == scale_id:
                return scale
        raise KeyError(f"{self.name} has no scale {scale_id!r}")

    def score_range(self, scale_id: str, scoring: str) -> tuple[float, float]:
        """Lowest and highest possible score of a scale under a scoring (mean or sum)."""
        k = len(self.scale(scale_id).items)
        factor = k if scoring == "sum" else 1
        return float(self.response_min * factor), float(self.response_max * factor)

    def presented_value(self, scored: int) -> int:
        """The presented value whose recode gives ``scored`` (identity without a recode)."""
        return scored - self.recode.add if self.recode else scored


def reverse_score(values, minimum: float, maximum: float):
    """Reverse-key a response: ``x' = (min + max) - x``.

    An involution: reversing twice gives the response back; it maps min to max.

    Examples
    --------
    >>> reverse_score(2, 1, 7)   # PRFQ item 11: 8 - x
    6
    >>> reverse_score(6, 1, 6)   # PSOC satisfaction item: 7 - x
    1
    """
    return (minimum + maximum) - values


@lru_cache(maxsize=1)
def _schema() -> dict:
    return parentgroup.read_yaml(SCHEMA_PATH)


def _key(path: Iterable) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def _fill_defaults(definition: dict) -> dict:
    definition = copy.deepcopy(definition)
    definition.setdefault("reverse_keys", [])
    missing = definition.setdefault("missing", {}) or {}
    definition["missing"] = missing
    missing.setdefault("max_missing", 1)
    missing.setdefault("missing_codes", list(DEFAULT_MISSING_CODES))
    definition.setdefault("anchor_direction", definition["response"]["anchor_direction"])
    definition.setdefault("notes", "")
    return definition


def check_instrument_definition(definition: object, file_label: str) -> list[InputProblem]:
    """Every problem of one instrument definition: schema errors, then cross-checks.

    Each problem names the file and the key (as ``column``, dotted path such as
    ``scales.1.items``), the value and what is expected.
    """
    validator = Draft202012Validator(_schema())
    problems = []
    for error in sorted(validator.iter_errors(definition), key=lambda e: list(e.absolute_path)):
        value = error.instance if not isinstance(error.instance, dict) else None
        expected = error.schema.get("description") or error.message
        if error.validator in {"required", "additionalProperties", "enum", "minItems"}:
            expected = f"{error.message} ({expected})" if error.validator != "enum" else (
                f"one of: {', '.join(map(str, error.validator_value))}"
            )
        problems.append(InputProblem(file_label, None, _key(error.absolute_path), value, expected))
    if problems:
        return problems
    d = _fill_defaults(definition)
    numbers = [item["number"] for item in d["items"]]
    k = len(numbers)
    if numbers != list(range(1, k + 1)):
        problems.append(
            InputProblem(file_label, None, "items", numbers,
                         f"items numbered 1..{k} in order, each once")
        )
    valid = set(range(1, k + 1))
    low, high = d["response"]["min"], d["response"]["max"]
    if low >= high:
        problems.append(InputProblem(file_label, None, "response.max", high,
                                     f"a maximum above the minimum {low}"))
    for i, entry in enumerate(d["response"]["labels"]):
        if not low <= entry["value"] <= high:
            problems.append(InputProblem(file_label, None, f"response.labels.{i}.value",
                                         entry["value"], f"a value from {low} to {high}"))
    recode = d.get("recode")
    if recode and (recode["from_min"] + recode["add"] != low
                   or recode["from_max"] + recode["add"] != high):
        problems.append(
            InputProblem(file_label, None, "recode", None,
                         f"from_min + add = {low} and from_max + add = {high} (response.min/max)")
        )
    directions = [key["anchor_direction"] for key in d["reverse_keys"]]
    for i, key in enumerate(d["reverse_keys"]):
        bad = [n for n in key["items"] if n not in valid]
        if bad:
            problems.append(InputProblem(file_label, None, f"reverse_keys.{i}.items", bad,
                                         f"item numbers from 1 to {k}"))
    if len(set(directions)) != len(directions):
        problems.append(InputProblem(file_label, None, "reverse_keys", directions,
                                     "at most one reverse key per anchor direction"))
    if directions and d["anchor_direction"] not in directions:
        problems.append(
            InputProblem(file_label, None, "anchor_direction", d["anchor_direction"],
                         f"an anchor direction with a reverse key ({', '.join(directions)})")
        )
    ids = []
    for i, scale in enumerate(d["scales"]):
        ids.append(scale["id"])
        bad = [n for n in scale["items"] if n not in valid]
        if bad:
            problems.append(InputProblem(file_label, None, f"scales.{i}.items", bad,
                                         f"item numbers from 1 to {k}"))
        if len(set(scale["items"])) != len(scale["items"]):
            problems.append(InputProblem(file_label, None, f"scales.{i}.items", scale["items"],
                                         "each item once per scale"))
    if len(set(ids)) != len(ids):
        problems.append(InputProblem(file_label, None, "scales", ids, "unique scale ids"))
    return problems


def instrument_from_definition(definition: dict, source: str = "") -> Instrument:
    """Build an :class:`Instrument` from a definition that passed
    :func:`check_instrument_definition`."""
    d = _fill_defaults(definition)
    low, high = d["response"]["min"], d["response"]["max"]
    written = {entry["value"]: entry["label"] for entry in d["response"]["labels"]}
    if d["anchor_direction"] != d["response"]["anchor_direction"]:
        labels = {(low + high) - value: text for value, text in written.items()}
    else:
        labels = written
    default_max = d["missing"]["max_missing"]
    scales = tuple(
        Scale(
            id=s["id"], label=s["label"], items=tuple(s["items"]), scorings=tuple(s["scorings"]),
            direction=s["direction"], interpretation=s.get("interpretation", ""),
            max_missing=s.get("max_missing", default_max),
        )
        for s in d["scales"]
    )
    recode = Recode(**d["recode"]) if d.get("recode") else None
    return Instrument(
        name=d["name"], title=d["title"], citation=" ".join(d["citation"].split()),
        notes=" ".join(d["notes"].split()),
        items={item["number"]: item["text"] for item in d["items"]},
        response_min=low, response_max=high, anchor_direction=d["anchor_direction"],
        labels=dict(sorted(labels.items())),
        reverse_keys={k["anchor_direction"]: tuple(sorted(k["items"])) for k in d["reverse_keys"]},
        scales=scales, missing_codes=tuple(str(c) for c in d["missing"]["missing_codes"]),
        recode=recode, source=source, definition=d,
    )


def find_instrument_file(name: str, extra_dirs: Sequence[Path] = ()) -> Path | None:
    """The file defining ``name``: a site's own ``<name>.yaml`` first, then the package's."""
    for folder in [*map(Path, extra_dirs), PACKAGE_INSTRUMENT_DIR]:
        for suffix in (".yaml", ".yml"):
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def read_instruments(
    names: Sequence[str], extra_dirs: Sequence[Path] = ()
) -> tuple[dict[str, Instrument], list[InputProblem]]:
    """Load the named instruments, collecting problems instead of raising.

    Returns ``(instruments, problems)``; an instrument with a problem is left out of the dict.
    """
    instruments: dict[str, Instrument] = {}
    problems: list[InputProblem] = []
    searched = ", ".join(str(p) for p in [*map(Path, extra_dirs), PACKAGE_INSTRUMENT_DIR])
    for name in names:
        path = find_instrument_file(name, extra_dirs)
        if path is None:
            problems.append(
                InputProblem(f"{name}.yaml", None, None, name,
                             f"an instrument file {name}.yaml in one of: {searched}")
            )
            continue
        label = path.name
        try:
            definition = parentgroup.read_yaml(path)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problems.append(
                InputProblem(label, None if mark is None else mark.line + 1, None, None,
                             f"valid YAML ({getattr(error, 'problem', error)})")
            )
            continue
        found = check_instrument_definition(definition, label)
        if not found and definition["name"] != name:
            found.append(InputProblem(label, None, "name", definition["name"],
                                      f"the file's own name {name!r}"))
        problems += found
        if not found:
            instruments[name] = instrument_from_definition(definition, source=str(path))
            log.info("instrument %s: %s (%d items, scales %s)", name, path, len(
                instruments[name].items), ", ".join(s.id for s in instruments[name].scales))
    return instruments, problems


def load_instruments(
    names: Sequence[str], extra_dirs: Sequence[Path] = ()
) -> dict[str, Instrument]:
    """Load the named instruments (site folders first, then ``workflow/instruments/``).

    Raises :class:`~parentgroup.problems.InputError` listing every problem of every file at once
    (file and key named); see :func:`read_instruments` for the collecting form.
    """
    instruments, problems = read_instruments(names, extra_dirs)
    raise_if_errors([p for p in problems if p.severity == ERROR], "instrument definitions")
    return instruments


def recode_and_reverse(values: np.ndarray, items: np.ndarray, instrument: Instrument) -> np.ndarray:
    """Scored values of one instrument's answers: declared recode, then its reverse key.

    ``values`` are presented responses (float, NaN = missing), ``items`` their item numbers.
    """
    scored = np.asarray(values, dtype=float)
    if instrument.recode is not None:
        scored = scored + instrument.recode.add
    reverse = np.isin(np.asarray(items), instrument.reverse_items)
    return np.where(reverse, reverse_score(scored, instrument.response_min,
                                           instrument.response_max), scored)
