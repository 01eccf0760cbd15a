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
from pathlib import Path, PurePosixPath
from typing import Any

from jsonschema import Draft202012Validator, validators

import parentgroup

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"
SHARED_OUTPUT_DIRS = ("data/processed", "results", "data/raw")


class ConfigError(ValueError):
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


#: Keys that decide how the run executes and which outputs it builds, not what any output
#: contains (config.schema.yaml).
EXECUTION_KEYS = ("warm_worker", "site_outputs")


def analysis_config(config: dict[str, Any]) -> dict[str, Any]:
    """The config without :data:`EXECUTION_KEYS`: what the rules receive as params and the
    reports record, so that changing how the run executes or which outputs it builds reruns
    nothing that stays and changes no byte of it."""
    return {key: value for key, value in config.items() if key not in EXECUTION_KEYS}


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
    instruments = set(config["instruments"])
    outcome_ids = []
    for i, outcome in enumerate(config["outcomes"]):
        if outcome["instrument"] not in instruments:
            raise ConfigError(
                f"config: outcomes.{i}.instrument = {outcome['instrument']!r} is not allowed; "
                f"expected one of the configured instruments: {', '.join(sorted(instruments))}"
            )
        if outcome["id"] in outcome_ids:
            raise ConfigError(
                f"config: outcomes.{i}.id = {outcome['id']!r} is not allowed; expected a unique id"
            )
        outcome_ids.append(outcome["id"])
    theme_ids = []
    for i, theme in enumerate(config["themes"]):
        for outcome in theme["outcomes"]:
            if outcome not in outcome_ids:
                raise ConfigError(
                    f"config: themes.{i}.outcomes contains {outcome!r}, which is not allowed; "
                    f"expected one of the outcome ids: {', '.join(outcome_ids)}"
                )
        if theme["id"] in theme_ids:
            raise ConfigError(
                f"config: themes.{i}.id = {theme['id']!r} is not allowed; expected a unique id"
            )
        theme_ids.append(theme["id"])
    for code, theme in config["code_map"].items():
        if theme not in theme_ids:
            raise ConfigError(
                f"config: code_map.{code} = {theme!r} is not allowed; expected one of the theme "
                f"ids: {', '.join(theme_ids)}"
            )
    for lo_hi in config["anonymisation"]["age_bands"]:
        if lo_hi[0] > lo_hi[1]:
            raise ConfigError(
                f"config: anonymisation.age_bands contains {lo_hi!r}, which is not allowed; "
                "expected [from, to] with from <= to"
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
