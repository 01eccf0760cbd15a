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

Beyond items on one response scale, a file may declare (all optional, all data):

* ``informant``: who completes this form (``parent``, ``teacher`` or ``observer``; default
  ``parent``). A questionnaire file with an ``informant`` column gives each row's answers to the
  instruments that row's informant completes (:mod:`parentgroup.inputs.questionnaire`).
* ``item_responses``: items answered on their own response scale (e.g. a 0-3 impact question
  beside 0-2 symptom items), optionally with ``scored_as``, a many-to-one recode of each
  presented value (``[0, 0, 1, 2]``: "not at all" and "only a little" both score 0).
* per scale: ``of_scales`` (the scale is the sum of other scales' scores, missing when any of
  them is missing), ``rounding: half_away_from_zero`` (a prorated score rounded to a whole
  number, as SPSS ``RND``) and ``gate`` (the score is a fixed value when a screening item has
  one of the given answers, e.g. impact 0 when the respondent reports no difficulties).
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
from parentgroup.problems import ERROR, InputProblem, nearest, raise_if_errors

log = logging.getLogger(__name__)

PACKAGE_INSTRUMENT_DIR = Path(parentgroup.__file__).resolve().parents[1] / "instruments"
SCHEMA_PATH = Path(parentgroup.__file__).resolve().parents[1] / "schemas" / "instrument.schema.yaml"
DIRECTIONS = ("lower_better", "higher_better", "mid_optimal")
DEFAULT_MISSING_CODES = ("", "NA", "-99", "999")
#: Who may complete a form (an instrument file's ``informant``; a questionnaire row's
#: ``informant`` column); docs/data-contracts.md section 1.
INFORMANTS = ("parent", "teacher", "observer")
DEFAULT_INFORMANT = "parent"
ROUNDINGS = ("none", "half_away_from_zero")


@dataclass(frozen=True)
class Recode:
    """A declared recode of presented values onto the response scale: ``scored = x + add``."""

    from_min: int
    from_max: int
    add: int
    note: str = ""


@dataclass(frozen=True)
class ItemResponse:
    """The response scale of some items when it is not the instrument's ``response``:
    presented ``min..max`` with anchor ``labels``; ``scored_as[v - min]`` is the score of the
    presented value ``v`` (identity when empty)."""

    items: tuple[int, ...]
    min: int
    max: int
    labels: dict[int, str]
    scored_as: tuple[int, ...] = ()
    note: str = ""

    def scored(self, values):
        """Scores of presented values (NaN stays NaN).

        >>> ItemResponse((26,), 0, 3, {}, (0, 0, 1, 2)).scored(np.array([0., 1., 2., 3., np.nan]))
        array([ 0.,  0.,  1.,  2., nan])
        """
        values = np.asarray(values, dtype=float)
        if not self.scored_as:
            return values
        table = np.asarray(self.scored_as, dtype=float)
        index = np.where(np.isnan(values), 0, values - self.min).astype(int)
        return np.where(np.isnan(values), np.nan, table[np.clip(index, 0, len(table) - 1)])

    @property
    def scored_min(self) -> int:
        return min(self.scored_as) if self.scored_as else self.min

    @property
    def scored_max(self) -> int:
        return max(self.scored_as) if self.scored_as else self.max


@dataclass(frozen=True)
class Gate:
    """A scale's score is ``score`` when item ``item`` was answered with one of ``values``
    (presented values)."""

    item: int
    values: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class Scale:
    """One scale (subscale or total) of an instrument. A scale ``of_scales`` is the sum of those
    scales' scores (its ``items`` are theirs, for reliability and ranges)."""

    id: str
    label: str
    items: tuple[int, ...]
    scorings: tuple[str, ...]
    direction: str
    interpretation: str
    max_missing: int
    of_scales: tuple[str, ...] = ()
    rounding: str = "none"
    gate: Gate | None = None


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
    informant: str = DEFAULT_INFORMANT
    item_responses: tuple[ItemResponse, ...] = ()

    def item_response(self, item: int) -> ItemResponse | None:
        """The own response scale of ``item``, or None when it uses ``response``."""
        for group in self.item_responses:
            if item in group.items:
                return group
        return None

    def item_scored_range(self, item: int) -> tuple[int, int]:
        """Lowest and highest score of one item (after recode and any ``scored_as``)."""
        group = self.item_response(item)
        if group is None:
            return self.response_min, self.response_max
        return group.scored_min, group.scored_max

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
        """Lowest and highest possible score of a scale under a scoring (mean or sum).

        For a sum, the sum of its items' lowest and highest scores (a scale ``of_scales``: of
        its scales' ranges); for a mean, the lowest and highest item score. A gate's fixed
        score widens the range when it lies outside.
        """
        scale = self.scale(scale_id)
        if scale.of_scales:
            ranges = [self.score_range(part, "sum") for part in scale.of_scales]
            low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
        else:
            ranges = [self.item_scored_range(item) for item in scale.items]
            if scoring == "sum":
                low, high = sum(r[0] for r in ranges), sum(r[1] for r in ranges)
            else:
                low, high = min(r[0] for r in ranges), max(r[1] for r in ranges)
        if scale.gate is not None:
            low, high = min(low, scale.gate.score), max(high, scale.gate.score)
        return float(low), float(high)

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


def _key_problems(error, file_label: str) -> list[InputProblem]:
    """A missing or unknown key of an instrument file, said in the file's own terms: the key
    missing (with what it holds), or the unknown key with the nearest known one (a typo such as
    ``titel`` for ``title``), not jsonschema's message and the whole schema's description."""
    properties = error.schema.get("properties", {})
    where = _key(error.absolute_path)
    prefix = "" if where == "(top level)" else f"{where}."
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [
            InputProblem(file_label, None, f"{prefix}{name}", None,
                         f"a key '{name}' (missing)"
                         + (f": {properties[name]['description']}"
                            if properties.get(name, {}).get("description") else ""))
            for name in missing
        ]
    known = sorted(properties)
    problems = []
    for name in sorted(set(error.instance) - set(known)):
        meant = nearest(name, known)
        hint = f"did you mean '{meant}'? " if meant else ""
        problems.append(InputProblem(
            file_label, None, f"{prefix}{name}", name,
            f"no key '{name}' here; {hint}the keys allowed: {', '.join(known)}"))
    return problems


def check_instrument_definition(definition: object, file_label: str) -> list[InputProblem]:
    """Every problem of one instrument definition: schema errors, then cross-checks.

    Each problem names the file and the key (as ``column``, dotted path such as
    ``scales.1.items``), the value and what is expected.
    """
    validator = Draft202012Validator(_schema())
    problems = []
    for error in sorted(validator.iter_errors(definition), key=lambda e: list(e.absolute_path)):
        if error.validator in {"required", "additionalProperties"}:
            problems += _key_problems(error, file_label)
            continue
        value = error.instance if not isinstance(error.instance, dict) else None
        expected = error.schema.get("description") or error.message
        if error.validator == "minItems":
            expected = f"{error.message} ({expected})"
        elif error.validator == "enum":
            expected = f"one of: {', '.join(map(str, error.validator_value))}"
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
    reversed_items = {n for key in d["reverse_keys"] for n in key["items"]}
    own_scale: dict[int, int] = {}
    for i, group in enumerate(d.get("item_responses", [])):
        where = f"item_responses.{i}"
        bad = [n for n in group["items"] if n not in valid]
        if bad:
            problems.append(InputProblem(file_label, None, f"{where}.items", bad,
                                         f"item numbers from 1 to {k}"))
        twice = sorted(n for n in group["items"] if n in own_scale)
        if twice:
            problems.append(InputProblem(file_label, None, f"{where}.items", twice,
                                         "each item in at most one item_responses entry"))
        own_scale.update({n: i for n in group["items"]})
        keyed = sorted(set(group["items"]) & reversed_items)
        if keyed:
            problems.append(InputProblem(file_label, None, f"{where}.items", keyed,
                                         "items without a reverse key (an item on its own "
                                         "response scale is scored through scored_as)"))
        g_low, g_high = group["min"], group["max"]
        if g_low >= g_high:
            problems.append(InputProblem(file_label, None, f"{where}.max", g_high,
                                         f"a maximum above the minimum {g_low}"))
        for j, entry in enumerate(group.get("labels", [])):
            if not g_low <= entry["value"] <= g_high:
                problems.append(InputProblem(file_label, None, f"{where}.labels.{j}.value",
                                             entry["value"], f"a value from {g_low} to {g_high}"))
        scored_as = group.get("scored_as")
        if scored_as is not None and len(scored_as) != g_high - g_low + 1:
            problems.append(InputProblem(file_label, None, f"{where}.scored_as", scored_as,
                                         f"{g_high - g_low + 1} scores, one for each presented "
                                         f"value {g_low}..{g_high} in order"))
    ids = []
    by_id = {scale["id"]: scale for scale in d["scales"]}
    for i, scale in enumerate(d["scales"]):
        ids.append(scale["id"])
        has_items, parts = "items" in scale, scale.get("of_scales")
        if has_items == (parts is not None):
            problems.append(InputProblem(file_label, None, f"scales.{i}", scale["id"],
                                         "either items or of_scales (not both, not neither)"))
            continue
        if parts is not None:
            wrong = [p for p in parts if p not in by_id or p == scale["id"]
                     or "of_scales" in by_id[p]]
            if wrong:
                problems.append(InputProblem(file_label, None, f"scales.{i}.of_scales", wrong,
                                             "ids of other scales of this file that have items"))
            if list(scale["scorings"]) != ["sum"]:
                problems.append(InputProblem(
                    file_label, None, f"scales.{i}.scorings", scale["scorings"],
                    "[sum] (a scale of scales is the sum of their scores)"))
            continue
        bad = [n for n in scale["items"] if n not in valid]
        if bad:
            problems.append(InputProblem(file_label, None, f"scales.{i}.items", bad,
                                         f"item numbers from 1 to {k}"))
        if len(set(scale["items"])) != len(scale["items"]):
            problems.append(InputProblem(file_label, None, f"scales.{i}.items", scale["items"],
                                         "each item once per scale"))
        gate = scale.get("gate")
        if gate is not None and gate["item"] not in valid:
            problems.append(InputProblem(file_label, None, f"scales.{i}.gate.item", gate["item"],
                                         f"an item number from 1 to {k}"))
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
    by_id = {s["id"]: s for s in d["scales"]}
    scales = tuple(
        Scale(
            id=s["id"], label=s["label"],
            items=tuple(s["items"]) if "items" in s else tuple(
                item for part in s["of_scales"] for item in by_id[part]["items"]),
            scorings=tuple(s["scorings"]),
            direction=s["direction"], interpretation=s.get("interpretation", ""),
            max_missing=s.get("max_missing", default_max),
            of_scales=tuple(s.get("of_scales", ())), rounding=s.get("rounding", "none"),
            gate=Gate(item=s["gate"]["item"], values=tuple(s["gate"]["values"]),
                      score=float(s["gate"]["score"])) if s.get("gate") else None,
        )
        for s in d["scales"]
    )
    item_responses = tuple(
        ItemResponse(items=tuple(g["items"]), min=g["min"], max=g["max"],
                     labels={e["value"]: e["label"] for e in g.get("labels", [])},
                     scored_as=tuple(g.get("scored_as", ())), note=g.get("note", ""))
        for g in d.get("item_responses", [])
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
        informant=d.get("informant", DEFAULT_INFORMANT), item_responses=item_responses,
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
    Items on their own response scale (``item_responses``) are scored through their
    ``scored_as`` instead (no recode, no reverse key).
    """
    scored = np.asarray(values, dtype=float)
    items = np.asarray(items)
    if instrument.recode is not None:
        scored = scored + instrument.recode.add
    reverse = np.isin(items, instrument.reverse_items)
    scored = np.where(reverse, reverse_score(scored, instrument.response_min,
                                             instrument.response_max), scored)
    for group in instrument.item_responses:
        mine = np.isin(items, group.items)
        scored = np.where(mine, group.scored(values), scored)
    return scored
