"""The mixed-methods report: text formatting, provenance, and executing the notebook.

The notebook runs on tests/fixtures/report_site (a synthetic results folder built by
make_report_site.py, following docs/data-contracts.md) twice, and the two HTML files must be
byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from parentgroup import formatting
from parentgroup.report import sections as rt
from parentgroup.report.provenance import dump_config, input_checksums, write_provenance
from parentgroup.report.runner import (
    ReportError,
    execute_integration_notebook,
    kernel_config,
    site_notebook_parameters,
)

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "report.py"
FIXTURE = REPO / "tests" / "fixtures" / "report_site"
TITLE = "Parent learning group: mixed-methods report"


def parameters(site_dir: Path, synthetic: str = "true") -> dict[str, str]:
    return site_notebook_parameters(
        site="fixture", results_dir=str(site_dir / "results"),
        processed_dir=str(site_dir / "processed"), config_path=str(site_dir / "config.yaml"),
        synthetic=synthetic, provenance_path=str(site_dir / "provenance.json"),
    )


def run(site_dir: Path, out: Path, **kwargs) -> bytes:
    execute_integration_notebook(
        notebook_py=NOTEBOOK, parameters=parameters(site_dir, **kwargs),
        out_ipynb=out / "report.ipynb", out_html=out / "report.html", title=TITLE,
        start_timeout=120, execution_timeout=120, log_dir=out / "logs",
    )
    return (out / "report.html").read_bytes()


def visible_text(page: str) -> str:
    body = page[page.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", "", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def two_run_dirs(tmp_path_factory) -> list[Path]:
    dirs = [tmp_path_factory.mktemp("run1"), tmp_path_factory.mktemp("run2")]
    for out in dirs:
        run(FIXTURE, out)
    return dirs


@pytest.fixture(scope="module")
def two_runs(two_run_dirs) -> tuple[bytes, bytes]:
    first, second = ((out / "report.html").read_bytes() for out in two_run_dirs)
    return first, second


# --------------------------------------------------------------------------- notebook


def test_report_html_is_byte_identical_across_runs(two_runs):
    first, second = two_runs
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_executed_notebook_is_byte_identical_and_free_of_clock_times(two_run_dirs):
    """papermill's run metadata (clock times whose microsecond digits are random, the temporary
    output path, a copy of the input notebook) is dropped; the parameters stay."""
    first, second = ((out / "report.ipynb").read_bytes() for out in two_run_dirs)
    assert first == second
    notebook = json.loads(first)
    assert set(notebook["metadata"]["papermill"]) >= {"parameters", "version"}
    assert notebook["metadata"]["papermill"]["parameters"]["site"] == "fixture"
    text = first.decode("utf-8")
    assert not re.search(r"\d{2}:\d{2}:\d{2}\.\d{6}", text)  # no clock time
    assert not re.search(r'"(start_time|end_time|duration|input_path|output_path)"', text)
    assert "executing.ipynb" not in text


def test_papermill_info_lines_stay_out_of_the_rule_log(caplog):
    """They name papermill's randomly named temporary notebook; warnings still show."""
    import logging

    from parentgroup.report.runner import _quiet_papermill

    caplog.set_level(logging.INFO)
    papermill_log = logging.getLogger("papermill")  # the logger papermill writes to
    with _quiet_papermill():
        papermill_log.info("Output Notebook: /tmp/ipython-ab12cd34/executing.ipynb")
        papermill_log.warning("kernel warning")
    papermill_log.info("after the notebook")
    assert "executing.ipynb" not in caplog.text
    assert "kernel warning" in caplog.text and "after the notebook" in caplog.text


def test_report_has_no_code_and_every_section(two_runs):
    page = two_runs[0].decode("utf-8")
    assert "import " not in page and "In [" not in page and "read_report_tables" not in page
    assert f"<title>{TITLE}</title>" in page
    assert 'id="cell-id=cell-0"' in page  # normalised ids, not jupytext's random ones
    text = visible_text(page)
    for heading in ["What was studied", "Design and rationale", "Sample and engagement",
                    "Quantitative results", "Qualitative results", "Joint displays",
                    "Discordance and limitations", "GRAMMS checklist",
                    "Reproducibility appendix"]:
        assert heading in text, heading
    assert rt.SYNTHETIC_BANNER in text
    assert "Relational safety" in text
    assert "Nobody looked at me like I was a bad mum; I could just say it." in text
    # rounded only here, APA p values, the discordant theme listed from the data
    assert "0.82 [\u22120.01, 1.60]" in text and ".053" in text and "< .001" in text
    assert "Facilitation style as an active ingredient (outcomes: prfq_cms)" in text
    assert "Hill & Betz, 2005" in text and "Nolte et al., 2012" in text
    # figures embedded with alt text and captions from figures.csv
    images = re.findall(r'<img alt="([^"]*)" src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 5
    alts = dict(images)
    forest = "Forest plot of six outcomes; all intervals but certainty exclude zero."
    png = (FIXTURE / "results" / "figures" / "effect_sizes.png").read_bytes()
    assert base64.b64decode(alts[forest]) == png  # the PNG itself, byte for byte
    assert "Effect sizes. Lead effect size with 95% CI per outcome." in text
    # the flow counts are exact (the one disclosure rule): one exclusion of one parent
    assert "excluded: left before session 6 1 recorded exclusion" in text
    # the parameter cells are gone, the appendix is there
    assert "provenance_path" not in page and "0123456789abcdef0123456789abcdef01234567" in text


def test_site_without_interviews_or_attendance_renders(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns("*.py"))
    for name in ["themes", "quotes", "joint_display_outcomes", "joint_display_cases"]:
        path = site / "results" / f"{name}.csv"
        pd.read_csv(path).iloc[0:0].to_csv(path, index=False, lineterminator="\n")
    (site / "processed" / "attendance.csv").unlink()
    text = visible_text(run(site, tmp_path / "out", synthetic="false").decode("utf-8"))
    assert rt.SYNTHETIC_BANNER not in text
    assert "Not available for this site: themes (this site has no coded interviews)" in text
    assert "no attendance.csv for this site" in text
    assert "No interviews were coded at this site" in text
    assert "Quantitative results" in text and "PSOC total" in text


def test_failing_notebook_is_kept_and_reported(tmp_path):
    params = parameters(FIXTURE)
    params["config_path"] = str(tmp_path / "missing.yaml")
    with pytest.raises(ReportError, match="FileNotFoundError") as caught:
        execute_integration_notebook(
            notebook_py=NOTEBOOK, parameters=params, out_ipynb=tmp_path / "o.ipynb",
            out_html=tmp_path / "o.html", title=TITLE, log_dir=tmp_path / "logs",
        )
    failed = tmp_path / "logs" / "report-failed.ipynb"
    assert failed.is_file() and str(failed) in str(caught.value)
    assert not (tmp_path / "o.html").exists()
    # once the cause is fixed, the next run removes the failed notebook of the earlier one
    execute_integration_notebook(
        notebook_py=NOTEBOOK, parameters=parameters(FIXTURE), out_ipynb=tmp_path / "o.ipynb",
        out_html=tmp_path / "o.html", title=TITLE, log_dir=tmp_path / "logs",
    )
    assert (tmp_path / "o.html").is_file() and not failed.exists()


def test_kernel_channels_are_encrypted(tmp_path, capfd):
    """The kernel's code and outputs (the site's tables) do not cross the loopback interface in
    plain text: CurveZMQ is required, and ipykernel's warning about an unencrypted TCP kernel
    (which went to every report log) is gone."""
    assert kernel_config().KernelManager.transport_encryption == "required"
    run(FIXTURE, tmp_path)
    assert "without encryption" not in capfd.readouterr().err


def test_parameters_must_be_strings(tmp_path):
    with pytest.raises(TypeError, match="strings"):
        execute_integration_notebook(
            notebook_py=NOTEBOOK, parameters={"site": 1}, out_ipynb=tmp_path / "o.ipynb",
            out_html=tmp_path / "o.html", title=TITLE,
        )
    assert site_notebook_parameters(
        site="001", results_dir="r", processed_dir="p", config_path="c", synthetic=True,
        provenance_path="v")["site"] == "001"


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.0534, ".053"), (0.05, ".050"), (0.001, ".001"), (0.00099, "< .001"), (0.0, "< .001"),
     (0.0005, "< .001"), (0.9994, ".999"), (0.9996, "> .999"), (1.0, "> .999"),
     (0.0495, ".050"), (float("nan"), "–"), (None, "–"), ("", "–")],
)
def test_format_p(p, expected):
    # the package's one formatter, and the report's escaped use of it
    assert formatting.format_p(p) == expected
    assert re.sub(r"<[^>]+>", "", rt.format_p(p)) == html.escape(expected)


def test_format_p_prefix_and_range():
    # the relation is joined by no-break spaces: "p = .053" never breaks across lines
    assert rt.format_p(0.0534, prefix=True) == "<em>p</em>\u00a0=\u00a0.053"
    assert rt.format_p(1e-9, prefix=True) == "<em>p</em>\u00a0&lt;\u00a0.001"
    for bad in (-0.01, 1.2):
        with pytest.raises(ValueError):
            rt.format_p(bad)


def test_one_p_formatter_for_the_whole_package():
    """The report, the figures and the analysis stage's APA sentences write a p value alike
    (they used to disagree: "= 1.000", "> .999", "p = 1.000")."""
    from parentgroup.analysis.paired_tests import apa_p
    from parentgroup.figures.style import fmt_p

    for p in (0.0527, 0.00004, 0.9996, 1.0, 0.5):
        digits = formatting.format_p(p)
        assert fmt_p(p) == f"p {formatting.p_relation(p)}"
        assert apa_p(p) == formatting.p_relation(p)
        assert fmt_p(p).endswith(digits) and apa_p(p).endswith(digits)
    assert fmt_p(1.0) == "p > .999" and apa_p(1.0) == "> .999"


def test_numbers_intervals_and_counts():
    assert rt.format_number(1.23456) == "1.23"
    assert rt.format_number(-0.004) == "0.00"  # no "-0.00"
    assert rt.format_number("<3") == "&lt;3"
    assert rt.format_ci(-0.014, 1.6) == "[\u22120.01, 1.60]"  # the minus sign, U+2212
    assert rt.format_number(-0.5) == "\u22120.50"
    assert rt.format_ci(float("nan"), None) == "–"
    assert rt.format_mean_sd(3.1, 0.8) == "3.10 (0.80)"
    assert [rt.format_count(n) for n in (0, 1, 2, 3, 12)] == ["0", "&lt;3", "&lt;3", "3", "12"]
    assert rt.format_count(4, min_cell_size=5) == "&lt;5"


def test_outcome_table_rounds_and_escapes():
    paired = pd.read_csv(FIXTURE / "results" / "paired_tests.csv", keep_default_na=True)
    paired.loc[0, "label"] = "<b>PRFQ</b> pre-mentalizing"
    page = rt.outcome_table_html(paired)
    assert "&lt;b&gt;PRFQ" in page and "<b>PRFQ" not in page
    first_row = page.split("<tr>")[2]
    cells = re.findall(r"<td>(.*?)</td>", first_row)
    m = "\u2212"  # the minus sign
    assert cells[1:] == ["7", "3.10 (0.80)", "2.20 (0.60)", f"{m}0.90 [{m}1.30, {m}0.50]",
                         f"{m}4.80(6)", ".002", ".009", f"{m}1.70 [{m}2.80, {m}0.60]",
                         f"{m}1.36 [{m}2.24, {m}0.48]"]
    assert "<em>d</em><sub>z</sub> [95% CI]" in page and "<em>p</em> (Holm)" in page
    # the Wilcoxon test and the normality check are in their own table
    checks = rt.assumptions_table_html(paired)
    cells = re.findall(r"<td>(.*?)</td>", checks.split("<tr>")[2])
    assert cells[1:] == ["7", ".93", ".520", "1.0", ".031", ".93"]  # W and r_rb cannot pass 1
    assert "Shapiro-Wilk <em>W</em>" in checks and "<em>r</em><sub>rb</sub>" in checks


def test_theme_sections_limit_quotes_and_context_counts():
    themes = pd.DataFrame({"theme_id": ["a"], "name": ["Pausing to wonder"],
                           "central_organising_concept": ["Curiosity & care"],
                           "n_participants": [2], "n_excerpts": [4], "outcomes": ["x"],
                           "fit": ["confirmation"], "note": [""]})
    quotes = pd.DataFrame({"theme_id": ["a"] * 3, "pseudonym": ["P01", "P02", "P03"],
                           "excerpt": ["one", "two", "three"], "source": [""] * 3,
                           "start": [0] * 3, "end": [1] * 3})
    page = rt.theme_sections_html(themes, quotes, quotes_per_theme=2, n_interviewed=9)
    assert page.count("<blockquote>") == 2 and "three" not in page
    assert "Curiosity &amp; care" in page and "&lt;3 of 9 interviewed" in page
    assert "not as a measure of its importance" in page
    empty = rt.theme_sections_html(themes.iloc[0:0], quotes.iloc[0:0])
    assert "Not available" in empty


def test_sample_description_is_one_way_with_small_cells_suppressed():
    participants = pd.read_csv(FIXTURE / "processed" / "participants.csv", dtype=str,
                               keep_default_na=False)
    page = rt.sample_description_html(participants, 3)
    assert "father: &lt;3; mother: 5; withheld: &lt;3" in page
    # 8 enrolled (shown) = 3 conduct + 4 neurodevelopmental + 1 generalised away: beside the
    # exact total the "<3" would come back by a subtraction, so the differencing rule withholds
    # the other two (issue 17, one disclosure rule)
    assert "conduct: not shown; neurodevelopmental: not shown; withheld: &lt;3" in page


def test_joint_display_quote_attribution_and_discordance():
    joint = pd.read_csv(FIXTURE / "results" / "joint_display_outcomes.csv", keep_default_na=False)
    page = rt.joint_display_outcomes_html(joint)
    assert "“They never told us the answer, they asked what we thought.” (P03)" in page
    # a quote with a semicolon stays whole; the two quotes of a cell are split
    cell = re.findall(r"<td>([^<]*bad mum[^<]*(?:<br>[^<]*)?)</td>", page)[0]
    assert cell.split("<br>") == [
        "“Nobody looked at me like I was a bad mum; I could just say it.” (P02)",
        "“It was the first place I didn&#x27;t have to pretend it was fine.” (P05)",
    ]
    legacy = joint.assign(quotes=["P01: one; two"] + [""] * (len(joint) - 1))
    assert "&ldquo;one; two&rdquo; (P01)" in rt.joint_display_outcomes_html(legacy)
    themes = pd.read_csv(FIXTURE / "results" / "themes.csv", keep_default_na=False)
    assert rt.discordance_html(themes, joint).count("<li>") == 1
    assert "No theme-outcome link" in rt.discordance_html(themes.iloc[0:0], joint.iloc[0:0])


def test_response_shift_only_for_three_timepoint_sites():
    assert rt.response_shift_table_html(pd.DataFrame(), {}) == ""
    shift = pd.DataFrame({"outcome": ["prfq_pm"], "n_pairs": [7], "mean_shift": [0.456],
                          "t": [2.5], "p": [0.046], "d_z": [0.94]})
    page = rt.response_shift_table_html(shift, {"prfq_pm": "PRFQ pre-mentalizing"})
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert cells == ["PRFQ pre-mentalizing", "7", "0.46", "2.50", ".046", "0.94"]


def test_figure_sections_never_drop_a_figure():
    figures = pd.read_csv(FIXTURE / "results" / "figures" / "figures.csv")
    placed = sum((rt.figure_names_for_section(figures, s)
                  for s in ("sample", "quantitative", "joint")), [])
    assert sorted(placed) == sorted(figures["name"])
    assert "Not available" in rt.figure_html(figures, "no_such_figure", FIXTURE)


# --------------------------------------------------------------------------- provenance


def test_provenance_summarises_transcripts_without_their_names(tmp_path):
    site = tmp_path / "data" / "raw" / "s1"
    (site / "transcripts").mkdir(parents=True)
    (site / "roster.csv").write_text("record_id\nR-0042\n", encoding="utf-8")
    (site / "transcripts" / "R-0042.txt").write_bytes(b"Parent: hello\n")
    (site / "transcripts" / "R-0043.txt").write_bytes(b"Parent: bye\n")
    config = {"sites": {"s1": {"data_dir": "data/raw/s1", "transcripts": "transcripts"}}}
    inputs = [site / "roster.csv", *sorted((site / "transcripts").iterdir())]
    record = write_provenance(tmp_path / "prov.json", inputs, config, root=tmp_path)
    text = (tmp_path / "prov.json").read_text(encoding="utf-8")
    assert "R-0042" not in text and "R-0043" not in text and str(tmp_path) not in text
    digests = sorted(hashlib.sha256(b).hexdigest() for b in (b"Parent: hello\n", b"Parent: bye\n"))
    expected = hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()
    assert record["inputs"] == {
        "data/raw/s1/roster.csv": hashlib.sha256(b"record_id\nR-0042\n").hexdigest(),
        "data/raw/s1/transcripts/ (2 files)": expected,
    }
    assert json.loads(text)["packages"]["pandas"] == "2.3.3"
    assert input_checksums(list(reversed(inputs)), config, root=tmp_path) == record["inputs"]


def test_config_dump_is_the_site_study_sorted(tmp_path):
    study = {"sites": {"demo": {"data_dir": "d", "design": "retrospective"}},
             "study": {"title": "T"}, "analysis": {"p_adjust": "holm"}}
    dump_config(study, tmp_path / "config.yaml")
    text = (tmp_path / "config.yaml").read_text(encoding="utf-8")
    assert text.index("analysis:") < text.index("sites:") < text.index("study:")
    assert yaml.safe_load(text) == study


# --------------------------------------------------------------------------- pooled report


def test_format_i2_reads_proportions_and_percentages():
    assert rt.format_i2(0.423) == "42%" and rt.format_i2(42.3) == "42%"
    assert rt.format_i2(0.0) == "0%" and rt.format_i2(None) == "–"


def test_pooled_report_renders_sites_and_meta_analysis(tmp_path):
    from parentgroup.report.runner import pooled_notebook_parameters

    root = tmp_path / "results"
    for site in ("north", "south"):
        (root / site).mkdir(parents=True)
        shutil.copyfile(FIXTURE / "results" / "paired_tests.csv", root / site / "paired_tests.csv")
    (root / "pooled" / "figures").mkdir(parents=True)
    pd.DataFrame({
        "outcome": ["prfq_pm"], "k_sites": [2], "method": ["REML"], "estimate": [-1.234],
        "se": [0.3], "ci_low": [-1.82], "ci_high": [-0.65], "tau2": [0.0123], "i2": [0.1],
        "q": [1.11], "q_p": [0.29], "pi_low": [-2.5], "pi_high": [0.03],
    }).to_csv(root / "pooled" / "meta_analysis.csv", index=False)
    shutil.copyfile(FIXTURE / "results" / "figures" / "effect_sizes.png",
                    root / "pooled" / "figures" / "pooled_forest.png")
    pd.DataFrame({"name": ["pooled_forest"], "title": ["Pooled forest plot"],
                  "caption": ["Random-effects estimates."], "alt_text": ["Forest plot, 2 sites."]}
                 ).to_csv(root / "pooled" / "figures" / "figures.csv", index=False)
    config = {"study": {"title": "Study"}, "sites": {
        "north": {"synthetic": True, "design": "retrospective"},
        "south": {"synthetic": True, "design": "retrospective"}}}
    params = pooled_notebook_parameters(sites=["south", "north"], results_root=str(root),
                                        config=config, synthetic=True)
    execute_integration_notebook(
        notebook_py=REPO / "notebooks" / "pooled_report.py", parameters=params,
        out_ipynb=tmp_path / "pooled.ipynb", out_html=tmp_path / "pooled.html", title="Pooled",
        log_dir=tmp_path / "logs",
    )
    page = (tmp_path / "pooled.html").read_text(encoding="utf-8")
    text = visible_text(page)
    assert "import " not in page
    assert rt.SYNTHETIC_BANNER in text and "Sites: north, south" in text
    assert "\u22121.23 [\u22121.82, \u22120.65]" in text and "10%" in text
    assert re.search(r"1\.11 \( ?\.290 ?\)", text)  # (.290 is kept whole in a nobr span)
    assert text.count("PRFQ pre-mentalizing") >= 3  # two sites and the pooled row
    assert 'alt="Forest plot, 2 sites."' in page


def test_a_large_case_level_joint_display_points_to_its_table_instead_of_listing_rows():
    import pandas as pd

    from parentgroup.report import sections as rt

    rows = rt.CASE_ROWS_MAX + 1
    cases = pd.DataFrame({"pseudonym": [f"P{i:04d}" for i in range(1, rows + 1)],
                          "prfq_pm_change": -0.5, "prfq_pm_category": "improved",
                          "themes_present": ""})
    html = rt.joint_display_cases_html(cases, {"prfq_pm": "Pre-mentalizing"}, {})
    assert "joint_display_cases.csv" in html and f"{rows} rows" in html
    assert "P0001" not in html
    small = rt.joint_display_cases_html(cases.head(3), {"prfq_pm": "Pre-mentalizing"}, {})
    assert "P0001" in small and "P0003" in small


def test_joint_display_links_one_row_per_link_with_fit_and_meta_inference():
    import pandas as pd

    from parentgroup.report.sections import joint_display_links_html

    links = pd.DataFrame({
        "theme_id": ["t1", "t2"], "theme": ["Relational safety", "Reduced stress"],
        "outcome": ["psoc_total", "psoc_total"], "label": ["PSOC total", "PSOC total"],
        "n_pairs": [12, 12], "mean_change": [9.5, 9.5], "lead_es": [1.61, 1.61],
        "lead_es_ci_low": [0.7, 0.7], "lead_es_ci_high": [2.5, 2.5], "p": [0.0004, 0.0004],
        "p_adjusted": [0.002, 0.002], "n_voiced": [9, 2], "n_interviewed": [12, 12],
        "quote": ["It felt safe to say it.", ""], "quote_pseudonym": ["Q03", ""],
        "fit": ["expansion", "silence"], "meta_inference": ["Safety came first.", ""],
    })
    page = joint_display_links_html(links, "d_z", min_cell_size=3)
    assert page.count("<tr>") == 3  # header and one row per link
    assert "expansion" in page and "silence" in page and "Safety came first." in page
    assert "(voiced by 9 of 12)" in page and "(voiced by &lt;3 of 12)" in page
    assert "(Q03)" in page
    assert page.count("PSOC total") == 1  # the outcome is named once for its group of links


def test_discordant_cases_listed_for_the_researchers_or_said_to_be_none():
    import pandas as pd

    from parentgroup.report.sections import discordant_cases_html

    empty = pd.DataFrame(columns=["pseudonym", "theme_id", "theme", "outcome", "label", "change",
                                  "category", "pattern", "explanation"])
    assert "No case-level discordance" in discordant_cases_html(empty)
    one = pd.DataFrame([{"pseudonym": "P04", "theme_id": "t1", "theme": "Reduced stress",
                         "outcome": "psoc_total", "label": "PSOC total", "change": -12.0,
                         "category": "deteriorated",
                         "pattern": "voiced the theme; outcome reliably deteriorated",
                         "explanation": ""}])
    page = discordant_cases_html(one)
    assert "1\nparent-outcome pair" in page or "1 parent-outcome pair" in " ".join(page.split())
    assert "P04" in page and "to be explained" in page


def test_a_withheld_sensitivity_row_is_not_read_as_a_reversal():
    """The differencing rule leaves the all-with-data row's numbers empty; the key findings must
    not call that a change of direction or of significance."""
    import math

    import pandas as pd

    from parentgroup.report.summary import sensitivity_changes

    table = pd.DataFrame({
        "outcome": ["prfq_ic", "prfq_ic"], "sample": ["completers", "all_with_data"],
        "n_pairs": [12, 13], "mean_change": [1.18, math.nan], "d_z": [1.83, math.nan],
        "p": [0.0001, math.nan]})
    assert sensitivity_changes(table, {"prfq_ic": "PRFQ interest and curiosity"}) == []
    table.loc[1, ["mean_change", "p"]] = [-0.2, 0.4]
    assert len(sensitivity_changes(table, {"prfq_ic": "PRFQ interest and curiosity"})) == 1
