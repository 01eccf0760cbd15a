"""The motivated-intruder check links a report element to a person when it can, per route:
plant the route (codes on the attendance grid, a sensitivity row one parent apart, quotes with
the case codes) and it links; remove it and nothing is linked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from parentgroup.leak_check.intruder import motivated_intruder

SHEET = {"R1": [1, 2, 3, 4], "R2": [1, 2, 3], "R3": [2, 3, 4], "R4": [1]}
CODES = {"R1": "P03", "R2": "P01", "R3": "P04", "R4": "P02"}
CONFIG = {"completer_min_sessions": 2, "analysis": {"min_cell_size": 3}}


def _site(tmp_path: Path, *, coded_grid: bool, sensitivity_mean: float | None,
          quote_codes: list[str], themes: dict[str, str]) -> dict:
    raw, results, processed = tmp_path / "raw", tmp_path / "results" / "s", tmp_path / "proc"
    for folder in (raw, results / "figures", processed):
        folder.mkdir(parents=True)
    pd.DataFrame([{"record_id": r, "session": s, "attended": int(s in attended)}
                  for r, attended in SHEET.items() for s in range(1, 5)]).to_csv(
        raw / "attendance.csv", index=False)
    pd.DataFrame([{"pseudonym": CODES[r], "session": s, "attended": int(s in attended)}
                  for r, attended in SHEET.items() for s in range(1, 5)]).to_csv(
        processed / "attendance.csv", index=False)
    labels = "".join(f"<text>{c}</text>" for c in sorted(CODES.values())) if coded_grid else ""
    (results / "figures" / "attendance.svg").write_text(f"<svg>{labels}<text>1</text></svg>")
    pd.DataFrame({"pseudonym": ["P01", "P03", "P04"], "outcome": ["x"] * 3,
                  "change": [1.0, 2.0, 3.0]}).to_csv(results / "reliable_change.csv", index=False)
    pd.DataFrame({"pseudonym": ["P01", "P03", "P04"], "x_change": [1.0, 2.0, 3.0],
                  "themes_present": [themes.get(c, "") for c in ("P01", "P03", "P04")]}).to_csv(
        results / "joint_display_cases.csv", index=False)
    pd.DataFrame({"theme_id": ["a", "b"], "name": ["A", "B"]}).to_csv(results / "themes.csv",
                                                                        index=False)
    pd.DataFrame({"theme_id": ["a", "b"][: len(quote_codes)], "pseudonym": quote_codes,
                  "excerpt": ["words"] * len(quote_codes)}).to_csv(results / "quotes.csv",
                                                                   index=False)
    pd.DataFrame({"outcome": ["x", "x"], "sample": ["completers", "all_with_data"],
                  "n_pairs": [3, 4], "mean_change": [2.0, sensitivity_mean],
                  "d_z": [1.0, None], "p": [0.1, None]}).to_csv(results / "sensitivity.csv",
                                                                index=False)
    return dict(attendance_path=raw / "attendance.csv", results_dir=results,
                processed_dir=processed)


CLEAN = dict(coded_grid=False, sensitivity_mean=None, quote_codes=["Q01", "Q02"],
             themes={"P01": "A; B", "P03": "A; B", "P04": "A; B"})


def test_a_clean_site_links_nothing(tmp_path):
    assert motivated_intruder(**_site(tmp_path, **CLEAN), config=CONFIG) == []


def test_codes_on_the_attendance_grid_link_every_element_with_that_code(tmp_path):
    links = motivated_intruder(**_site(tmp_path, **{**CLEAN, "coded_grid": True}),
                               config=CONFIG)
    linked = {(link.element, link.person) for link in links if link.route == "attendance"}
    assert ("s/reliable_change.csv", "attendance-sheet person 1") in linked  # R1 = P03
    assert len({p for e, p in linked if e == "s/reliable_change.csv"}) == 3
    assert all("R1" not in link.line() for link in links)  # never the record_id


def test_a_sensitivity_row_one_parent_apart_gives_the_leavers_change(tmp_path):
    site = _site(tmp_path, **{**CLEAN, "sensitivity_mean": 2.5})
    links = motivated_intruder(**site, config=CONFIG)
    assert [(link.route, link.person, link.allowed) for link in links] == [
        ("differencing", "attendance-sheet person 4", False)]  # R4 left early
    assert "= 4" in links[0].what  # 4 x 2.5 - 3 x 2.0
    allowed = {**CONFIG, "analysis": {"early_leavers_in_tables": True}}
    assert [link.allowed for link in motivated_intruder(**site, config=allowed)] == [True]


@pytest.mark.parametrize(("codes", "themes", "linked"), [
    (["P03", "P01"], CLEAN["themes"], 2),                        # the case codes themselves
    (["Q01", "Q02"], {"P01": "A", "P03": "B", "P04": ""}, 2),    # quoted themes fit one case
    (["Q01", "Q02"], CLEAN["themes"], 0),                        # several cases fit
])
def test_quotes_link_through_shared_codes_or_a_unique_theme_fit(tmp_path, codes, themes,
                                                                   linked):
    links = motivated_intruder(**_site(tmp_path, **{**CLEAN, "quote_codes": codes,
                                                    "themes": themes}), config=CONFIG)
    assert len([link for link in links if link.route == "quotes"]) == linked


@pytest.mark.e2e
def test_the_demo_outputs_link_nothing_to_a_person(demo_run):
    """The demo end to end: an insider holding the attendance sheet links no table, figure or
    quote to a person (before this test's fixes: 90 elements, 12 of 14 parents)."""
    import yaml

    from parentgroup.config import site_study, validate_config

    workdir, result = demo_run
    assert result.returncode == 0, result.stderr[-3000:]
    config = validate_config(yaml.safe_load((workdir / "config.yaml").read_text("utf-8")))
    links = motivated_intruder(attendance_path=workdir / "data/raw/demo/attendance.csv",
                               results_dir=workdir / "results/demo",
                               processed_dir=workdir / "data/processed/demo",
                               config=site_study(config, "demo"))
    assert [link.line() for link in links] == []
