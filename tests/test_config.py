"""The study configuration: schema defaults, one-line errors, cross-checks, and the CLI message."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import REPO, copy_repository, run_snakemake

from parentgroup.config import ConfigError, load_schema, validate_config


@pytest.fixture()
def config() -> dict:
    with open(REPO / "config.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_shipped_config_is_valid_and_gets_defaults(config):
    validate_config(config)
    site = config["sites"]["demo"]
    assert site["review_decisions"] == "review_decisions.csv"
    assert config["analysis"]["reliable_change"]["reliability_source"] == "sample_alpha"
    assert site["identifiers_file"] == "identifiers.yaml"
    assert site["outcomes"] is None  # the study's outcomes, unless the site names its own


def _walk(schema, path=()):
    if schema.get("type") == "object":
        for name, sub in schema.get("properties", {}).items():
            yield path + (name,), sub
            yield from _walk(sub, path + (name,))
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            yield from _walk(extra, path + ("*",))
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        yield from _walk(schema["items"], path + ("[]",))


def test_every_schema_key_has_type_description_and_default():
    for path, sub in _walk(load_schema()):
        assert "type" in sub, path
        assert sub.get("description"), path
        assert "default" in sub, path


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda c: c["analysis"].__setitem__("lead_effect_size", "d_x"),
            "config: analysis.lead_effect_size = 'd_x' is not allowed; "
            "expected one of: d_z, d_av, d_rm, g_av",
        ),
        (
            lambda c: c["analysis"].__setitem__("lead_efect_size", "d_z"),
            "config: unknown key analysis.lead_efect_size; expected one of:",
        ),
        (
            lambda c: c.__setitem__("completer_min_sessions", "six"),
            "config: completer_min_sessions = 'six' is not allowed; expected an integer",
        ),
        (
            lambda c: c["sites"]["demo"].__setitem__("design", "then-now"),
            "config: sites.demo.design = 'then-now' is not allowed; expected one of: "
            "retrospective, prospective, three_timepoint",
        ),
        (
            lambda c: c.__setitem__("secure_dir", "results/keys"),
            "config: secure_dir = 'results/keys' is not allowed; expected a folder outside",
        ),
        (
            lambda c: c["themes"][0]["outcomes"].append("prfq_total"),
            "config: themes.0.outcomes contains 'prfq_total', which is not allowed",
        ),
        (
            lambda c: c["outcomes"][0].__setitem__("instrument", "sdq"),
            "config: outcomes.0.instrument = 'sdq' is not allowed",
        ),
        (
            lambda c: c["figures"].__setitem__("formats", ["svg", "pdf"]),
            "config: figures.formats = ['svg', 'pdf'] is not allowed; expected a list that "
            "includes png",
        ),
        (
            lambda c: c["figures"].__setitem__("formats", ["png", "tiff"]),
            "config: figures.formats.1 = 'tiff' is not allowed; expected one of: png, svg, pdf",
        ),
        (
            lambda c: c["figures"].__setitem__("formats", ["png", "png"]),
            "config: figures.formats = ['png', 'png'] is not allowed; expected each entry once",
        ),
        (
            lambda c: c.__setitem__("site_outputs", "report"),
            "config: site_outputs = 'report' is not allowed; expected one of: full, tables",
        ),
    ],
)
def test_a_wrong_key_or_value_gives_one_line_naming_key_value_and_allowed(
    config, mutate, expected
):
    bad = copy.deepcopy(config)
    mutate(bad)
    with pytest.raises(ConfigError) as error:
        validate_config(bad)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(expected)


@pytest.mark.e2e
def test_snakemake_stops_with_the_one_line_message(tmp_path):
    workdir = copy_repository(tmp_path / "repo")
    config_file = workdir / "config.yaml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("lead_effect_size: d_z", "lead_effect_size: dz"))
    result = run_snakemake(workdir, "-n")
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    # one line, naming the config files Snakemake merged (the key is in one of them)
    assert lines == [
        "config: analysis.lead_effect_size = 'dz' is not allowed; "
        "expected one of: d_z, d_av, d_rm, g_av (config files: config.yaml)"
    ]


@pytest.mark.e2e
def test_missing_site_folder_is_one_line(tmp_path):
    workdir = copy_repository(tmp_path / "repo")
    result = run_snakemake(
        workdir, "-n", "--config", "sites={other: {data_dir: data/raw/nowhere}}"
    )
    assert result.returncode != 0
    assert "config: sites.other.data_dir = 'data/raw/nowhere' has no roster.csv" in result.stderr


def test_a_site_study_holds_only_that_site_and_no_execution_keys(config):
    from parentgroup.config import EXECUTION_KEYS, site_study

    validate_config(config)
    config["sites"]["other"] = {**config["sites"]["demo"], "data_dir": "elsewhere"}
    study = site_study(config, "demo")
    assert set(EXECUTION_KEYS) <= set(config)
    assert not set(EXECUTION_KEYS) & set(study)
    assert list(study["sites"]) == ["demo"]
    assert {k: v for k, v in study.items() if k != "sites"} == {
        k: v for k, v in config.items() if k not in (*EXECUTION_KEYS, "sites")}


def test_a_complete_config_for_replace_workflow_config_may_hold_only_sites():
    """--replace-workflow-config drops config.yaml: a config naming only a site with its own
    instruments and outcomes is complete (every other key has a default); a site left with no
    outcomes at all is refused in one line naming the key."""
    own = {"sites": {"goals": {
        "data_dir": "/abs/goals", "transcripts": "", "coding": {"file": ""},
        "instruments": ["goal"],
        "outcomes": [{"id": "goal", "instrument": "goal", "scale": "goal"}],
    }}}
    validate_config(own)
    assert own["sites"]["goals"]["questionnaire"]["match_on"] == "record_id"
    with pytest.raises(ConfigError, match=r"^config: outcomes is empty; expected at least one"):
        validate_config({"sites": {"bare": {"data_dir": "d"}}})


def test_match_on_values_agree_in_schema_code_and_docs():
    from parentgroup.inputs.questionnaire import MATCH_COLUMNS, ROSTER_MATCH_COLUMN

    schema = load_schema()
    site = schema["properties"]["sites"]["additionalProperties"]
    allowed = site["properties"]["questionnaire"]["properties"]["match_on"]["enum"]
    assert allowed == list(MATCH_COLUMNS) == list(ROSTER_MATCH_COLUMN)
    for document in ("README.md", "docs/data-contracts.md"):
        text = (REPO / document).read_text(encoding="utf-8")
        assert f"match_on: {' | '.join(allowed)}" in text or \
            f"`match_on`: {', '.join(f'`{v}`' for v in allowed)}" in text, document


def test_a_site_replacing_the_study_keys_is_told_where_its_own_belong(config):
    """A --configfile that puts a site's own instrument at the top level replaces the demo's
    outcomes too: one line that says so and where the site's own keys go."""
    config["sites"]["goals"] = {"data_dir": "d", "transcripts": "", "coding": {"file": ""}}
    config["instruments"] = ["goal"]
    config["outcomes"] = [{"id": "goal", "instrument": "goal", "scale": "goal"}]
    with pytest.raises(ConfigError) as raised:
        validate_config(config)
    message = str(raised.value)
    assert message.startswith("config: themes.0.outcomes contains")
    assert "(for site demo; a site with instruments, outcomes or themes of its own" in message
    assert "\n" not in message
