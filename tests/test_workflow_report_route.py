"""The ``make report`` route: every caption renders for the outputs it is attached to (a pooled
output has no ``{site}`` wildcard)."""

from __future__ import annotations

import copy
import re
import types
from pathlib import Path

import docutils.core
import jinja2
import pytest
import yaml

from parentgroup.config import validate_config

REPO = Path(__file__).resolve().parents[1]
_REPORT_CALL = re.compile(
    r'report\(\s*(?:directory\()?"(?P<path>[^"]+)"\)?,(?P<body>.*?)caption="(?P<caption>[^"]+)"',
    re.S,
)
_WILDCARD = re.compile(r"(?<!\{)\{(\w+)\}(?!\})")
VALUES = {"site": "demo", "name": "attendance"}


def _report_outputs() -> list[tuple[str, str, set[str]]]:
    """(rule file, caption, wildcards of the output) of every output marked for the report."""
    found = []
    for rules in sorted((REPO / "workflow/rules").glob("*.smk")):
        for call in _REPORT_CALL.finditer(rules.read_text(encoding="utf-8")):
            wildcards = set(_WILDCARD.findall(call["path"] + call["body"]))
            found.append((rules.name, call["caption"], wildcards))
    return found


def _two_site_config() -> dict:
    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["sites"]["second"] = {**copy.deepcopy(config["sites"]["demo"]), "synthetic": False,
                                 "data_dir": "data/raw/second"}
    return validate_config(config)


def test_every_output_for_the_report_is_found():
    outputs = _report_outputs()
    assert ("pooled.smk", "../report/pooled_report.rst", set()) in outputs
    assert ("report.smk", "../report/report.rst", {"site"}) in outputs
    assert len(outputs) == len(re.findall(r"\breport\(", "".join(
        p.read_text(encoding="utf-8") for p in (REPO / "workflow/rules").glob("*.smk"))))


@pytest.mark.parametrize(("rules", "caption", "wildcards"), _report_outputs(),
                         ids=lambda v: v if isinstance(v, str) else None)
def test_each_caption_renders_with_the_wildcards_of_its_output(rules, caption, wildcards):
    """As ``snakemake --report`` renders it (the same Jinja settings): only the wildcards the
    output has. The pooled report reused the site report's caption, which reads the {site}
    wildcard: ``make report`` failed with two sites (UndefinedError)."""
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    snakemake = types.SimpleNamespace(
        config=_two_site_config(), params=types.SimpleNamespace(),
        wildcards=types.SimpleNamespace(**{w: VALUES[w] for w in wildcards}))
    path = REPO / "workflow/rules" / caption
    text = env.from_string(path.read_text(encoding="utf-8")).render(snakemake=snakemake)
    body = docutils.core.publish_parts(text, writer="html", settings_overrides={
        "report_level": 1, "halt_level": 5})["body"]
    assert "system-message" not in body and "problematic" not in body, body
    if caption.endswith(("pooled_report.rst", "/report.rst")):
        assert "Synthetic demo data" in body  # the demo site is synthetic
