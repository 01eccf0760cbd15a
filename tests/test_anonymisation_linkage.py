"""The linkage key: random, stable, private, growing; never in a shared folder; no hashing."""

from __future__ import annotations

import logging
import os
import re
import stat

import pytest
from conftest import REPO

from parentgroup.anonymisation.linkage import KeyPathError, ensure_linkage_key
from parentgroup.problems import InputError

IDS = [f"R{i:02d}" for i in range(12)]


def test_same_key_gives_the_same_pseudonyms_and_new_parents_get_the_next_numbers(
        tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "secure" / "site" / "linkage_key.csv"
    first = ensure_linkage_key(path, IDS)
    assert sorted(first.values()) == [f"P{i:02d}" for i in range(1, 13)]
    assert ensure_linkage_key(path, list(reversed(IDS))) == first
    grown = ensure_linkage_key(path, [*IDS, "R99", "R98"])
    assert {k: grown[k] for k in IDS} == first
    assert sorted([grown["R99"], grown["R98"]]) == ["P13", "P14"]
    # a parent who left the roster keeps their pseudonym in the key
    assert ensure_linkage_key(path, IDS[:3]) == grown


def test_key_is_created_owner_only_with_a_clear_message(tmp_path, monkeypatch, caplog):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "secure" / "site" / "linkage_key.csv"
    with caplog.at_level(logging.WARNING):
        ensure_linkage_key(path, IDS)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert "created a new linkage key for 12 parents" in caplog.text
    assert not any(r in caplog.text for r in IDS)
    assert path.read_text(encoding="utf-8").splitlines()[0] == "record_id,pseudonym"


def test_pseudonyms_are_in_a_random_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    orders = {tuple(ensure_linkage_key(tmp_path / f"k{i}" / "key.csv", IDS)[r] for r in IDS)
              for i in range(6)}
    # 12! orders: six identical draws would have probability (1/12!)^5
    assert len(orders) > 1
    assert all(order != tuple(f"P{i:02d}" for i in range(1, 13)) for order in orders)


@pytest.mark.parametrize("folder", ["data/processed/site", "results/site", "results",
                                    "elsewhere/data/processed"])
def test_key_inside_a_shared_folder_is_refused(tmp_path, monkeypatch, folder):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(KeyPathError, match="shared"):
        ensure_linkage_key(tmp_path / folder / "linkage_key.csv", ["R1"])
    assert not (tmp_path / folder / "linkage_key.csv").exists()


def test_key_inside_the_sites_processed_folder_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out" / "site"
    with pytest.raises(KeyPathError):
        ensure_linkage_key(out / "keys" / "linkage_key.csv", ["R1"], shared_dirs=[out.parent])


def test_a_malformed_key_is_an_input_error_that_hides_record_ids(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "secure" / "linkage_key.csv"
    path.parent.mkdir()
    path.write_text("record_id,pseudonym\nR-SECRET-1,P01\nR-SECRET-2,P01\nR3,X9\n")
    with pytest.raises(InputError) as error:
        ensure_linkage_key(path, ["R3"])
    message = str(error.value)
    assert "each pseudonym once" in message and "a pseudonym like P01" in message
    assert "R-SECRET" not in message


def test_no_identifier_is_ever_hashed():
    package = REPO / "workflow/parentgroup/anonymisation"
    for module in sorted(package.glob("*.py")):
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"\bhashlib\b|\bsha\d+\(|\bmd5\(|\bhash\(", source), module.name
