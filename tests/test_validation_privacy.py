"""The validate stage guards what a replication site brings: the staff, school and town names
the roster does not hold must be stated (or stated to be none), the site key and folder must not
carry a name, no validation output names a file by a record id, and an excerpt coded to a theme
the config does not know stops the run instead of quietly leaving the theme empty."""

from __future__ import annotations

import shutil

import pytest
import yaml
from conftest import REPO

from parentgroup.config import site_study, validate_config
from parentgroup.inputs.validate import validate_site
from parentgroup.problems import InputError

DEMO = REPO / "data/raw/demo"


@pytest.fixture()
def config() -> dict:
    with open(REPO / "config.yaml", encoding="utf-8") as handle:
        return validate_config(yaml.safe_load(handle))


def _site(tmp_path, config, *, site="demo", folder="site"):
    """A copy of the demo folder under ``tmp_path/folder`` as site ``site``: (study, folder)."""
    data_dir = tmp_path / folder
    shutil.copytree(DEMO, data_dir)
    config = {**config, "sites": {site: {**config["sites"]["demo"], "data_dir": str(data_dir)}}}
    return site_study(config, site), data_dir


def _validate(tmp_path, study, site="demo"):
    validate_site(site=site, study=study, problems_csv=tmp_path / "out" / "input_problems.csv",
                  qda_offsets_csv=tmp_path / "out" / "qda_offsets.csv")


# -- V1: identifiers.yaml is required; "no such names" is stated explicitly --------------------

def test_a_site_without_identifiers_yaml_stops_at_validation(tmp_path, config):
    """Without the file the staff, school and town names were neither redacted nor searched for
    (a warning, and the run went on): now the run stops and says what the file must hold."""
    study, data_dir = _site(tmp_path, config)
    (data_dir / "identifiers.yaml").unlink()
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study)
    message = str(error.value)
    line = next(line for line in message.splitlines() if "identifiers.yaml" in line)
    assert line.lstrip().startswith("ERROR: identifiers.yaml")
    assert "staff: {name: role}" in line and "school:" in line and "town:" in line
    assert "staff: {}, school: [], town: []" in line  # how to say the site has none
    assert not (tmp_path / "out" / "input_problems.csv").exists()


@pytest.mark.parametrize("content", ["", "# nothing yet\n", "school: []\ntown: []\n"],
                         ids=["empty", "comment-only", "no-staff-key"])
def test_an_identifiers_file_that_states_nothing_stops_at_validation(tmp_path, config, content):
    study, data_dir = _site(tmp_path, config)
    (data_dir / "identifiers.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study)
    assert "identifiers.yaml" in str(error.value)
    assert "staff: {}" in str(error.value)


def test_an_empty_identifiers_file_name_in_the_config_stops_at_validation(tmp_path, config):
    study, _ = _site(tmp_path, config)
    study["sites"]["demo"]["identifiers_file"] = ""
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study)
    assert "column 'identifiers_file'" in str(error.value)
    assert "staff: {}, school: [], town: []" in str(error.value)


def test_empty_entries_state_that_a_site_names_no_staff_school_or_town(tmp_path, config):
    study, data_dir = _site(tmp_path, config)
    (data_dir / "identifiers.yaml").write_text("staff: {}\nschool: []\ntown: []\n",
                                               encoding="utf-8")
    _validate(tmp_path, study)
    assert (tmp_path / "out" / "input_problems.csv").exists()


def test_every_committed_site_states_its_identifiers():
    """The demo and the controlled demo run: each has an identifiers file with all three kinds."""
    from parentgroup.inputs.identifiers import read_identifiers

    for folder in sorted((REPO / "data/raw").iterdir()):
        if (folder / "roster.csv").exists():
            _, problems = read_identifiers(folder / "identifiers.yaml")
            assert problems == [], folder.name
