"""The outcome family of the paired analysis, described from the instrument definitions."""

from __future__ import annotations

from pathlib import Path

from parentgroup.instruments import read_instruments
from parentgroup.study_config import ConfigError


def outcome_meta(config: dict) -> dict[str, dict]:
    """Outcome id -> label, instrument, scale, scoring, direction, range_min, range_max.

    The label is the config label or the scale's label with its scoring ("(item mean)" or
    "(sum)"); the direction of improvement (lower_better / higher_better / mid_optimal) and the
    score range come from the instrument file. An outcome naming a scale the instrument lacks
    raises :class:`ConfigError` with one line.
    """
    extra_dirs = [Path(site["data_dir"]) for site in config["sites"].values()]
    instruments, problems = read_instruments(config["instruments"], extra_dirs)
    if problems and not instruments:
        raise ConfigError(f"config: instruments could not be read: {problems[0].format()}")
    meta: dict[str, dict] = {}
    for i, outcome in enumerate(config["outcomes"]):
        instrument = instruments.get(outcome["instrument"])
        if instrument is None:
            raise ConfigError(
                f"config: outcomes.{i}.instrument = {outcome['instrument']!r} could not be "
                "loaded; expected a valid instrument file (see the validate_inputs log)"
            )
        scales = {scale.id: scale for scale in instrument.scales}
        if outcome["scale"] not in scales:
            raise ConfigError(
                f"config: outcomes.{i}.scale = {outcome['scale']!r} is not allowed; expected one "
                f"of the {instrument.name} scales: {', '.join(scales)}"
            )
        scale = scales[outcome["scale"]]
        scoring = outcome.get("scoring") or scale.scorings[0]
        if scoring not in scale.scorings:
            raise ConfigError(
                f"config: outcomes.{i}.scoring = {scoring!r} is not allowed; expected one of: "
                f"{', '.join(scale.scorings)}"
            )
        low, high = instrument.score_range(scale.id, scoring)
        meta[outcome["id"]] = {
            "label": outcome.get("label") or scale.label,
            "instrument": instrument.name,
            "scale": scale.id,
            "scoring": scoring,
            "direction": scale.direction,
            "range_min": float(low),
            "range_max": float(high),
            "interpretation": scale.interpretation,
        }
    return meta
