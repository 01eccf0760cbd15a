"""The study configuration: validation against the JSON Schema, defaults, one-line errors.

``validate_config`` fills every missing key with the schema default (JSON Schema draft 2020-12,
``workflow/schemas/config.schema.yaml``) and refuses a wrong key or value with ONE line that names
the key, the value and what is allowed, e.g.::

    config: analysis.lead_effect_size = 'd_x' is not allowed; expected one of: d_z, d_av, d_rm, g_av

Cross-checks the schema cannot express (an outcome that names an unknown instrument, a theme
linked to an unknown outcome, a secure directory inside a shared output folder) are reported the
same way.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from jsonschema import Draft202012Validator, validators

import parentgroup
from parentgroup.instruments import read_instruments
from parentgroup.labels import outcome_label
from parentgroup.problems import UserFacingError

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"
SHARED_OUTPUT_DIRS = ("data/processed", "results", "data/raw")


class ConfigError(UserFacingError, ValueError):
    """A configuration problem, with a one-line message."""


def _extend_with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


DefaultFillingValidator = _extend_with_defaults(Draft202012Validator)


def load_schema(path: Path = SCHEMA_PATH) -> dict:
    return parentgroup.read_yaml(path)


def _key(path) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "(top level)"


def _describe(error) -> str:
    """One line: the key, the value and what is allowed."""
    key = _key(error.absolute_path)
    value = error.instance
    schema = error.schema
    validator = error.validator
    if validator == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed)) if isinstance(value, dict) else []
        where = f"{key}." if error.absolute_path else ""
        names = ", ".join(f"{where}{e}" for e in extra)
        expected = f"one of: {', '.join(allowed)}" if allowed else "no other keys"
        return f"config: unknown key {names}; expected {expected}"
    if validator == "required":
        return f"config: {key} is missing a required key ({error.message})"
    if validator == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return f"config: {key} = {value!r} is not allowed; expected one of: {options}"
    if validator == "type":
        expected = _article(error.validator_value)
        return f"config: {key} = {value!r} is not allowed; expected {expected}"
    if validator == "pattern":
        return (
            f"config: {key} = {value!r} is not allowed; expected text matching "
            f"{error.validator_value}"
        )
    if validator in {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
        bound = error.validator_value
        return f"config: {key} = {value!r} is not allowed; expected {validator} {bound}"
    if validator == "contains" and "const" in error.validator_value:
        needed = error.validator_value["const"]
        return f"config: {key} = {value!r} is not allowed; expected a list that includes {needed}"
    if validator == "uniqueItems":
        return f"config: {key} = {value!r} is not allowed; expected each entry once"
    if validator == "propertyNames":
        return (
            f"config: site name {value!r} in {key} is not allowed; expected letters, digits, "
            "_ or - (and not 'pooled')"
        )
    return f"config: {key} = {value!r} is not allowed; {error.message}"


def validate_config(config: dict[str, Any], schema: dict | None = None) -> dict[str, Any]:
    """Fill defaults in ``config`` (in place) and validate it; raise :class:`ConfigError`.

    Only the first problem is reported (one line), in a stable order, so the message is short
    enough to act on; fixing it and rerunning reveals the next.
    """
    _refuse_moved_keys(config)
    schema = schema or load_schema()
    validator = DefaultFillingValidator(schema)
    errors = sorted(
        validator.iter_errors(config),
        key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path], e.validator),
    )
    if errors:
        raise ConfigError(_describe(errors[0]))
    _cross_check(config)
    return config


def _refuse_moved_keys(config: Mapping[str, Any]) -> None:
    """Names of people and places no longer go in the config: say where they go now (without
    repeating them)."""
    for site, entry in sorted((config.get("sites") or {}).items()):
        if isinstance(entry, Mapping) and "identifiers" in entry:
            folder = entry.get("data_dir") or f"data/raw/{site}"
            raise ConfigError(
                f"config: sites.{site}.identifiers is not read from the config any more; "
                f"expected the staff, school and town names in {folder}/identifiers.yaml (the "
                "same keys: staff, school, town). The config is shared with the results and "
                "Snakemake records what rules receive, so names stay with the raw data "
                "(README: 'Bring your own data')"
            )
    if "leak_allow_list" in (config.get("anonymisation") or {}):
        raise ConfigError(
            "config: anonymisation.leak_allow_list is not read from the config any more; "
            "expected the reviewed entries under leak_allow_list in each site's "
            "identifiers.yaml, where they are withheld like every other identifier"
        )


#: Keys that decide how the run executes and which outputs it builds, not what any output
#: contains (config.schema.yaml).
EXECUTION_KEYS = ("site_outputs",)

#: Study-level keys a site may replace with its own (``sites.<site>.<key>``): a site with its
#: own instrument names its instruments, outcomes and themes without touching the other sites.
SITE_OVERRIDES = ("instruments", "outcomes", "themes", "code_map")


def site_study(config: Mapping[str, Any], site: str) -> dict[str, Any]:
    """The study as it applies to one site, in the config's own shape.

    The study-level settings, with the site's own ``instruments``, ``outcomes``, ``themes`` and
    ``code_map`` where it names them (:data:`SITE_OVERRIDES`), and only this site under
    ``sites``. Without the execution keys. This is what a site's jobs see and its report
    records, so a second site, or another site's settings, changes nothing of it.

    >>> cfg = {"instruments": ["prfq"], "outcomes": [1], "themes": [], "code_map": {},
    ...        "site_outputs": "full",
    ...        "sites": {"a": {"data_dir": "d", "instruments": ["gbo"], "outcomes": None},
    ...                  "b": {"data_dir": "e"}}}
    >>> study = site_study(cfg, "a")
    >>> study["instruments"], study["outcomes"], study["sites"]
    (['gbo'], [1], {'a': {'data_dir': 'd'}})
    """
    entry = config["sites"][site]
    study = {
        key: copy.deepcopy(value) for key, value in config.items()
        if key not in EXECUTION_KEYS and key != "sites"
    }
    for key in SITE_OVERRIDES:
        if entry.get(key) is not None:
            study[key] = copy.deepcopy(entry[key])
    study["sites"] = {
        site: {k: copy.deepcopy(v) for k, v in entry.items() if k not in SITE_OVERRIDES}
    }
    return study


def site_key(config: Mapping[str, Any], site: str, key: str) -> str:
    """Where a site's value of an overridable key comes from, for messages: ``sites.<site>.key``
    when the site names its own, else ``key``.

    >>> site_key({"sites": {"a": {"outcomes": []}}}, "a", "outcomes")
    'sites.a.outcomes'
    """
    own = config["sites"][site].get(key) is not None
    return f"sites.{site}.{key}" if own else key


def pooled_study(config: Mapping[str, Any]) -> dict[str, Any]:
    """What the pooled report records of the config: the study-level settings, and of each site
    only whether its data are synthetic and its design (no folders, no site settings that shape
    only that site's own results)."""
    study = {
        key: copy.deepcopy(value) for key, value in config.items()
        if key not in EXECUTION_KEYS and key != "sites"
    }
    study["sites"] = {
        site: {"synthetic": entry["synthetic"], "design": entry["design"]}
        for site, entry in sorted(config["sites"].items())
    }
    return study


def select(study: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The parts of ``study`` named by ``keys`` (dotted for a nested key), in the same shape:
    the params of one rule, so that a change elsewhere in the config reruns nothing of it.

    >>> select({"analysis": {"confidence_level": 0.95, "p_adjust": "holm"}, "report": {}},
    ...        "analysis.confidence_level")
    {'analysis': {'confidence_level': 0.95}}
    """
    out: dict[str, Any] = {}
    for key in keys:
        *parents, leaf = key.split(".")
        source, target = study, out
        for part in parents:
            source = source[part]
            target = target.setdefault(part, {})
        target[leaf] = copy.deepcopy(source[leaf])
    return out


def outcome_meta(study: Mapping[str, Any], where: str = "outcomes") -> dict[str, dict]:
    """Outcome id -> label, instrument, scale, scoring, direction, range_min, range_max and
    interpretation, for the outcomes of ``study`` (one site's, :func:`site_study`).

    The label is the config label or the scale's label; the direction of improvement
    (lower_better / higher_better / mid_optimal) and the score range come from the instrument
    file (the site's own folder first, then workflow/instruments/). An outcome naming a scale
    the instrument lacks raises :class:`ConfigError` with one line that names the key
    (``where``: ``outcomes``, or ``sites.<site>.outcomes`` for a site's own).
    """
    extra_dirs = [Path(site["data_dir"]) for site in study["sites"].values()]
    instruments, problems = read_instruments(study["instruments"], extra_dirs)
    if problems and not instruments:
        raise ConfigError(f"config: instruments could not be read: {problems[0].format()}")
    meta: dict[str, dict] = {}
    for i, outcome in enumerate(study["outcomes"]):
        instrument = instruments.get(outcome["instrument"])
        if instrument is None:
            raise ConfigError(
                f"config: {where}.{i}.instrument = {outcome['instrument']!r} could not be "
                "loaded; expected a valid instrument file (see the validate log)"
            )
        scales = {scale.id: scale for scale in instrument.scales}
        if outcome["scale"] not in scales:
            raise ConfigError(
                f"config: {where}.{i}.scale = {outcome['scale']!r} is not allowed; expected one "
                f"of the {instrument.name} scales: {', '.join(scales)}"
            )
        scale = scales[outcome["scale"]]
        scoring = outcome.get("scoring") or scale.scorings[0]
        if scoring not in scale.scorings:
            raise ConfigError(
                f"config: {where}.{i}.scoring = {scoring!r} is not allowed; expected one of: "
                f"{', '.join(scale.scorings)}"
            )
        low, high = instrument.score_range(scale.id, scoring)
        meta[outcome["id"]] = {
            "label": outcome_label({"instrument": instrument.name,
                                    "label": outcome.get("label") or scale.label}),
            "instrument": instrument.name,
            "scale": scale.id,
            "scoring": scoring,
            "direction": scale.direction,
            "range_min": float(low),
            "range_max": float(high),
            "interpretation": scale.interpretation,
            "informant": instrument.informant,
        }
    return meta


def _inside(path: str, folder: str) -> bool:
    p = PurePosixPath(Path(path).as_posix().lstrip("./"))
    f = PurePosixPath(folder)
    return p == f or f in p.parents


def _cross_check(config: dict[str, Any]) -> None:
    secure = config["secure_dir"]
    for folder in SHARED_OUTPUT_DIRS:
        if _inside(secure, folder):
            raise ConfigError(
                f"config: secure_dir = {secure!r} is not allowed; expected a folder outside "
                f"{', '.join(SHARED_OUTPUT_DIRS)} (the linkage key must never sit with shared data)"
            )
    for lo_hi in config["anonymisation"]["age_bands"]:
        if lo_hi[0] > lo_hi[1]:
            raise ConfigError(
                f"config: anonymisation.age_bands contains {lo_hi!r}, which is not allowed; "
                "expected [from, to] with from <= to"
            )
    for site in sorted(config["sites"]):
        keys = {key: site_key(config, site, key) for key in SITE_OVERRIDES}
        try:
            _check_study(site_study(config, site), keys)
        except ConfigError as error:
            shared = [key for key, where in keys.items() if where == key]
            if len(config["sites"]) > 1 and shared:
                # e.g. a --configfile that replaced the study's instruments or outcomes, which
                # the other sites still rely on
                raise ConfigError(
                    f"{error} (for site {site}; a site with instruments, outcomes or themes of "
                    "its own names them under its entry, sites.<site>.instruments, "
                    "sites.<site>.outcomes, sites.<site>.themes, so the other sites keep the "
                    "study's)"
                ) from None
            raise


def _check_study(study: dict[str, Any], keys: Mapping[str, str]) -> None:
    """One site's instruments, outcomes, themes and code map agree with each other; ``keys``
    says where each comes from (``outcomes`` or ``sites.<site>.outcomes``) for the message."""
    instruments = set(study["instruments"])
    if not study["outcomes"]:
        raise ConfigError(f"config: {keys['outcomes']} is empty; expected at least one outcome")
    outcome_ids = []
    for i, outcome in enumerate(study["outcomes"]):
        if outcome["instrument"] not in instruments:
            raise ConfigError(
                f"config: {keys['outcomes']}.{i}.instrument = {outcome['instrument']!r} is not "
                f"allowed; expected one of the instruments in {keys['instruments']}: "
                f"{', '.join(sorted(instruments))}"
            )
        if outcome["id"] in outcome_ids:
            raise ConfigError(
                f"config: {keys['outcomes']}.{i}.id = {outcome['id']!r} is not allowed; "
                "expected a unique id"
            )
        outcome_ids.append(outcome["id"])
    theme_ids = []
    for i, theme in enumerate(study["themes"]):
        for entry in theme["outcomes"]:  # an outcome id, or a link {outcome, fit, ...}
            outcome = entry.get("outcome") if isinstance(entry, dict) else entry
            if outcome not in outcome_ids:
                raise ConfigError(
                    f"config: {keys['themes']}.{i}.outcomes contains {outcome!r}, which is not "
                    f"allowed; expected one of the outcome ids in {keys['outcomes']}: "
                    f"{', '.join(outcome_ids)}"
                )
        if theme["id"] in theme_ids:
            raise ConfigError(
                f"config: {keys['themes']}.{i}.id = {theme['id']!r} is not allowed; "
                "expected a unique id"
            )
        theme_ids.append(theme["id"])
    for code, theme in study["code_map"].items():
        if theme not in theme_ids:
            raise ConfigError(
                f"config: {keys['code_map']}.{code} = {theme!r} is not allowed; expected one of "
                f"the theme ids in {keys['themes']}: {', '.join(theme_ids)}"
            )


def design_times(design: str) -> dict[str, str]:
    """Time labels of a design mapped to analysis roles (pre, post, baseline).

    retrospective: then -> pre, now -> post; prospective: pre -> pre, post -> post;
    three_timepoint: then -> pre, post -> post, pre -> baseline (for response shift).
    """
    return {
        "retrospective": {"then": "pre", "now": "post"},
        "prospective": {"pre": "pre", "post": "post"},
        "three_timepoint": {"pre": "baseline", "then": "pre", "post": "post"},
    }[design]


def _article(type_name) -> str:
    names = type_name if isinstance(type_name, list) else [type_name]
    return " or ".join(("an " if n[0] in "aeiou" else "a ") + n for n in names)
