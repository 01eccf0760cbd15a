"""The workflow report (``make report``) is leak-checked: Snakemake inlines each site's report as
a base64 ``data:`` URI, so an identifier planted there (or in the page itself) fails the check,
deletes the unchecked file and publishes nothing; removed again, the report is published.
Snakemake's own assets (JavaScript libraries, licences naming their authors) are not hits."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pandas as pd
import pytest

from parentgroup.leak_check.__main__ import main
from parentgroup.leak_check.workflow_report import snakemake_asset_texts

ROOT = Path(__file__).resolve().parents[1]


def _page(site_report: str, extra: str = "") -> str:
    inlined = base64.b64encode(site_report.encode()).decode()
    licences = {"clone": {"license": next(t for t in snakemake_asset_texts()
                                          if t.startswith("Copyright") and "\\n" in t)}}
    return ("<html><body><h1>Workflow report</h1>"
            f'<script>var data = {{"data_uri": "data:text/html;charset=utf8;'
            f'filename=report.html;base64,{inlined}"}};</script>'
            f"<script>var licences = {json.dumps(licences)};</script>{extra}</body></html>")


@pytest.fixture
def demo_name() -> str:
    roster = pd.read_csv(ROOT / "data" / "raw" / "demo" / "roster.csv", dtype=str)
    return roster["child_name"].iloc[0]


@pytest.mark.parametrize("where", ["inlined site report", "workflow page"])
def test_a_planted_identifier_fails_make_report_and_nothing_is_published(
        tmp_path, monkeypatch, capsys, demo_name, where):
    monkeypatch.chdir(ROOT)
    unchecked, final = tmp_path / "wr.unchecked.html", tmp_path / "workflow-report.html"
    clean = "<p>P01 and P02 attended 8 sessions.</p>"
    planted = f"<p>P01 ({demo_name}) attended 8 sessions.</p>"
    if where == "inlined site report":
        unchecked.write_text(_page(planted), encoding="utf-8")
    else:
        unchecked.write_text(_page(clean, extra=f"<pre>params: {demo_name}</pre>"),
                             encoding="utf-8")
    assert main([str(unchecked), "--publish", str(final)]) == 1
    message = capsys.readouterr().err
    assert "LEAK: demo " in message and "field child_name" in message
    assert demo_name.split()[0].casefold() not in message.casefold()
    assert not unchecked.exists() and not final.exists()
    # removed again: the report is published
    unchecked.write_text(_page(clean), encoding="utf-8")
    assert main([str(unchecked), "--publish", str(final)]) == 0
    assert final.exists() and not unchecked.exists()
    summary = (tmp_path / "workflow-report.leak_check.txt").read_text(encoding="utf-8")
    assert "hits: 0" in summary and "under wr.unchecked.html" in summary


@pytest.fixture
def extra_site(tmp_path) -> tuple[Path, str]:
    """A config file adding a site (as README's bring-your-own-data route does) whose roster
    holds a name the demo's does not."""
    data = tmp_path / "raw" / "extra"
    data.mkdir(parents=True)
    roster = pd.read_csv(ROOT / "data" / "raw" / "demo" / "roster.csv", dtype=str)
    roster.loc[0, "child_name"] = "Zebedee Quarterman"
    roster.to_csv(data / "roster.csv", index=False)
    config = tmp_path / "extra.yaml"
    config.write_text(f"sites:\n  extra:\n    data_dir: {data}\n    synthetic: true\n",
                      encoding="utf-8")
    return config, "Zebedee Quarterman"


def test_a_site_added_with_a_config_file_is_checked_too(tmp_path, monkeypatch, capsys,
                                                        extra_site):
    """make report ARGS="--configfile extra.yaml" passes the Snakemake options to the leak
    check too, which merges them over config.yaml as Snakemake does: the added site's names are
    searched for (with config.yaml alone they were not)."""
    monkeypatch.chdir(ROOT)
    config, name = extra_site
    unchecked, final = tmp_path / "wr.unchecked.html", tmp_path / "workflow-report.html"
    page = _page(f"<p>P01 ({name}) attended 8 sessions.</p>")
    for options in (["--configfile", str(config)],
                    ["--cores", "1", "--configfiles", str(config), "--rerun-incomplete"]):
        unchecked.write_text(page, encoding="utf-8")
        assert main([str(unchecked), "--publish", str(final), "--", *options]) == 1, options
        message = capsys.readouterr().err
        assert "LEAK: extra " in message and "field child_name" in message, options
        assert "zebedee" not in message.casefold() and not final.exists()
    unchecked.write_text(page, encoding="utf-8")
    assert main([str(unchecked), "--publish", str(final)]) == 0  # config.yaml alone: not seen


@pytest.mark.parametrize("missing", ["report", "config file", "roster"])
def test_a_missing_file_is_a_clear_message_and_no_earlier_verdict_stays(
        tmp_path, monkeypatch, capsys, extra_site, missing):
    monkeypatch.chdir(ROOT)
    config, _name = extra_site
    unchecked, final = tmp_path / "wr.unchecked.html", tmp_path / "workflow-report.html"
    summary = tmp_path / "workflow-report.leak_check.txt"
    final.write_text("an earlier run's report", encoding="utf-8")
    summary.write_text("hits: 0\n", encoding="utf-8")
    options = ["--", "--configfile", str(config)]
    if missing != "report":
        unchecked.write_text(_page("<p>P01 attended.</p>"), encoding="utf-8")
    if missing == "config file":
        options = ["--", "--configfile", str(tmp_path / "nowhere.yaml")]
    if missing == "roster":
        (tmp_path / "raw" / "extra" / "roster.csv").unlink()
    assert main([str(unchecked), "--publish", str(final), *options]) == 1
    message = capsys.readouterr().err
    assert "Traceback" not in message and f"{final} not written" in message
    expected = {"report": f"{unchecked} does not exist",
                "config file": f"config file {tmp_path / 'nowhere.yaml'} does not exist",
                "roster": f"cannot read {tmp_path / 'raw' / 'extra' / 'roster.csv'}"}[missing]
    assert expected in message, message
    assert not final.exists() and not summary.exists() and not unchecked.exists()
