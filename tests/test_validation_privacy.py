"""The validate stage guards what a replication site brings: the staff, school and town names
the roster does not hold must be stated (or stated to be none), the site key and folder must not
carry a name, no validation output names a file by a record id, and an excerpt coded to a theme
the config does not know stops the run instead of quietly leaving the theme empty."""

from __future__ import annotations

import shutil

import pandas as pd
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


# -- V2: the site key, the data folder and the config's file names carry no identifier ---------

@pytest.mark.parametrize(
    ("site", "folder", "field", "kind"),
    [
        ("riverside", "site", "site key", "the school's name"),
        ("demo", "riverside-learning-centre", "data_dir", "the school's name"),
        ("ashbourne_vale", "site", "site key", "a town or place name"),
        ("demo", "Okafor_files", "data_dir", "a staff member's name"),
        ("demo", "grace-okafor", "data_dir", "a staff member's name"),
        ("fairweather", "site", "site key", "a name from roster.csv"),
        ("demo", "RLC-103", "data_dir", "a record_id of roster.csv"),
    ],
)
def test_a_site_key_or_folder_that_holds_a_name_stops_at_validation(
        tmp_path, config, site, folder, field, kind):
    """A site `hillside` for "Hillside Academy" ran for half a minute and then failed the leak
    check with hundreds of hits: now validation stops and says which field to rename, naming
    the kind of identifier it holds, never the identifier."""
    study, _ = _site(tmp_path, config, site=site, folder=folder)
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study, site=site)
    message = str(error.value)
    lines = [line for line in message.splitlines() if f"column {field!r}" in line]
    assert len(lines) == 1, message
    assert lines[0].lstrip().startswith("ERROR: config") and kind in lines[0]
    assert "rename" in lines[0]
    for secret in ("riverside", "ashbourne", "okafor", "fairweather", "rlc-103", "rlc103"):
        assert secret not in message.casefold()


def test_names_inside_other_words_are_not_a_match(tmp_path, config):
    """Whole words only: `riversidelike` and `demo` hold no name. In a folder a first name or
    surname alone counts only written as a name (a home folder /home/will/ is no hit): the demo
    has a parent whose name is also the word "may"."""
    roster = pd.read_csv(DEMO / "roster.csv", dtype=str, keep_default_na=False)
    assert "may" in {part.casefold() for name in roster["parent_name"] for part in name.split()}
    study, _ = _site(tmp_path, config, site="riversidelike", folder="home/may/data-2026")
    _validate(tmp_path, study, site="riversidelike")
    assert (tmp_path / "out" / "input_problems.csv").exists()


def test_a_file_name_of_the_config_that_holds_a_name_stops_at_validation(tmp_path, config):
    study, data_dir = _site(tmp_path, config)
    (data_dir / "questionnaire.csv").rename(data_dir / "riverside_survey.csv")
    study["sites"]["demo"]["questionnaire"]["file"] = "riverside_survey.csv"
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study)
    assert "column 'questionnaire.file'" in str(error.value)
    assert "riverside" not in str(error.value).casefold()


# -- V3: no validation output names a file by its record id ------------------------------------

def _shared_text(tmp_path, caplog, study):
    """Everything the validate stage shares: the problem list, the log and any error message."""
    caplog.set_level("INFO")
    try:
        _validate(tmp_path, study)
        message = ""
    except InputError as error:
        message = str(error)
    shared = [message, caplog.text]
    for name in ("input_problems.csv", "qda_offsets.csv"):
        if (tmp_path / "out" / name).exists():
            shared.append((tmp_path / "out" / name).read_text(encoding="utf-8"))
    return "\n".join(shared)


def _record_ids():
    roster = pd.read_csv(DEMO / "roster.csv", dtype=str, keep_default_na=False)
    return list(roster["record_id"])


def test_a_transcript_is_located_by_position_not_by_its_record_id(tmp_path, config, caplog):
    """A Windows-1252 transcript (a warning) was listed as transcripts/RLC-104.txt in
    input_problems.csv and the log, and the leak check then failed on the record id."""
    study, data_dir = _site(tmp_path, config)
    path = data_dir / "transcripts" / "RLC-104.txt"
    text = path.read_text(encoding="utf-8") + "\nParent: a caf\u00e9 after.\n"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    shared = _shared_text(tmp_path, caplog, study)
    problems = pd.read_csv(tmp_path / "out" / "input_problems.csv", dtype=str)
    files = set(problems["file"])
    assert "transcripts/ (the 4th of 12 files, sorted by name)" in files, files
    for record_id in _record_ids():
        assert record_id not in shared and record_id.replace("-", "") not in shared


def test_no_validation_output_shows_a_record_id_whatever_the_reader_echoes(
        tmp_path, config, caplog):
    """A transcript missing for coded excerpts (the coding reader named the record) and a
    duplicated record_id in the roster (a value the roster reader echoes) are shown without
    the id, in the problem list, the log and the error message."""
    study, data_dir = _site(tmp_path, config)
    (data_dir / "transcripts" / "RLC-105.txt").unlink()
    roster = pd.read_csv(data_dir / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[len(roster)] = {**roster.iloc[0].to_dict(), "parent_name": "Extra Parent"}
    roster.to_csv(data_dir / "roster.csv", index=False)
    shared = _shared_text(tmp_path, caplog, study)
    assert "record_id" in shared and "<hidden: record_id>" in shared
    for record_id in _record_ids():
        assert record_id not in shared and record_id.replace("-", "") not in shared


# -- V4: an excerpt coded to a theme the config does not know stops the run --------------------

def test_a_misspelt_theme_id_stops_at_validation_with_the_nearest_theme(tmp_path, config):
    """`calm_mornings` for `calmer_mornings` dropped half the excerpts with rc=0 and a warning;
    themes.csv then reported the theme with 0 participants and a "confirmation" fit."""
    study, data_dir = _site(tmp_path, config)
    excerpts = pd.read_csv(data_dir / "coded_excerpts.csv", dtype=str, keep_default_na=False)
    rows = excerpts.index[excerpts["theme"] == "enhanced_mentalizing"]
    excerpts.loc[rows, "theme"] = "enhanced_mentalising"
    excerpts.to_csv(data_dir / "coded_excerpts.csv", index=False)
    with pytest.raises(InputError) as error:
        _validate(tmp_path, study)
    lines = [line for line in str(error.value).splitlines() if "column 'theme'" in line]
    assert len(lines) == 1, str(error.value)
    line = lines[0]
    first_row = int(rows[0]) + 2  # the header is row 1
    assert line.lstrip().startswith(
        f"ERROR: coded_excerpts.csv, row {first_row}, column 'theme': value 'enhanced_mentalising'")
    assert "did you mean 'enhanced_mentalizing'?" in line
    assert all(t["id"] in line for t in config["themes"])  # the known theme ids
    assert f"{len(rows)} excerpt(s)" in line


def test_a_theme_column_may_name_a_theme_by_its_name_or_through_code_map(tmp_path, config):
    study, data_dir = _site(tmp_path, config)
    excerpts = pd.read_csv(data_dir / "coded_excerpts.csv", dtype=str, keep_default_na=False)
    theme = config["themes"][0]
    excerpts.loc[excerpts["theme"] == theme["id"], "theme"] = theme["name"].upper()
    excerpts.loc[excerpts["theme"] == "facilitation_style", "theme"] = "group leaders"
    excerpts.to_csv(data_dir / "coded_excerpts.csv", index=False)
    study["code_map"] = {"group leaders": "facilitation_style"}
    _validate(tmp_path, study)
    problems = pd.read_csv(tmp_path / "out" / "input_problems.csv", dtype=str)
    assert "theme" not in set(problems["column"].dropna())


def test_names_in_folders_are_folded_as_the_redactor_folds_them():
    """One fold (parentgroup.spelling) for the validate stage and the redactor: a folder named
    'Lukasz_Wrobel' is the roster's Łukasz Wróbel (NFKD alone leaves Ł whole)."""
    from parentgroup.inputs.name_search import NameSearch

    roster = pd.DataFrame({"record_id": ["R-1"], "parent_name": ["Łukasz Wróbel"]})
    search = NameSearch(roster, {})
    assert search.kinds_in("data/raw/Lukasz_Wrobel") == ["a name from roster.csv (parent_name)"]
    assert search.hide("ŁUKASZ said") == "<hidden: parent_name> said"
