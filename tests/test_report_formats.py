"""The report as its readers get it: a self-contained page (no network request), key findings
and contents first, numbered tables and figures, the interpretive sentences computed from the
tables, the PDF, the Word manuscript tables and the SPSS completer flag."""

from __future__ import annotations

import html as htmllib
import io
import logging
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from parentgroup.outputs import pdf_support
from parentgroup.report import sections as rt
from parentgroup.report import summary as rs
from parentgroup.report.runner import execute_integration_notebook, site_notebook_parameters

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "report.py"
FIXTURE = REPO / "tests" / "fixtures" / "report_site"


def render_site(site: Path, out: Path, synthetic: str = "true") -> Path:
    params = site_notebook_parameters(
        site="fixture", results_dir=str(site / "results"), processed_dir=str(site / "processed"),
        config_path=str(site / "config.yaml"), synthetic=synthetic,
        provenance_path=str(site / "provenance.json"))
    html_path = out / "report.html"
    execute_integration_notebook(notebook_py=NOTEBOOK, parameters=params,
                                 out_ipynb=out / "report.ipynb", out_html=html_path,
                                 title="Fixture report", log_dir=out)
    return html_path


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    return render_site(FIXTURE, tmp_path_factory.mktemp("report"))


class _Resources(HTMLParser):
    """Every URL the page would load or link to: src, href, srcset, poster, data, action, and
    url(...) in style attributes and <style> blocks."""

    def __init__(self):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"src", "href", "srcset", "poster", "data", "action", "formaction",
                        "background", "manifest"} and value:
                self.urls.append((tag, name, value))
            if name == "style" and value:
                self.urls += [(tag, "style", u) for u in re.findall(r"url\(([^)]*)\)", value)]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.urls += [("style", "url", u) for u in re.findall(r"url\(([^)]*)\)", data)]
            self.urls += [("style", "import", u) for u in re.findall(r"@import\s+([^;]+)", data)]


def external(url: str) -> bool:
    url = url.strip().strip("'\"").lower()
    return url.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:", "file:")) or (
        ":" in url.split("/")[0] and not url.startswith(("data:", "#", "mailto:")))


def visible_text(page: str) -> str:
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", htmllib.unescape(page))


# --------------------------------------------------------------------------- self-contained


def test_report_makes_no_network_request(report_html):
    page = report_html.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(page)
    assert parser.urls, "the parser found no URL at all: the test would pass vacuously"
    outside = [(tag, name, value[:80]) for tag, name, value in parser.urls if external(value)]
    assert outside == []
    assert "<script" not in page  # no require.js, MathJax or any other script
    assert "cdnjs" not in page and "cdn.jsdelivr" not in page and "unpkg" not in page
    # every internal link points at an element of the page
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    for _tag, name, value in parser.urls:
        if name == "href" and value.startswith("#"):
            assert value[1:] in ids, value


def test_external_url_detector_is_not_vacuous():
    assert external("https://cdnjs.cloudflare.com/x.js") and external("//cdn.example/x.css")
    assert not external("data:image/png;base64,AAAA") and not external("#table-flow")


# --------------------------------------------------------------------------- structure


def test_key_findings_and_contents_come_before_the_method(report_html):
    page = report_html.read_text(encoding="utf-8")
    text = visible_text(page)
    assert text.index("Key findings") < text.index("Contents") < text.index("What was studied")
    findings = text[text.index("Key findings"):text.index("Contents")]
    for part in ("What was done.", "For whom.", "Main changes", "What parents said.",
                 "Main caveats."):
        assert part in findings, part
    # the numbers come from paired_tests.csv (PRFQ pre-mentalizing: d_z -1.70 [-2.80, -0.60])
    assert "PRFQ pre-mentalizing: fell, a large change in the direction of improvement" \
        in findings
    assert "= \u22121.70, 95% CI [\u22122.80, \u22120.60], Holm-adjusted p = .009" in findings
    assert "8 parents enrolled, 7 completed the group and 7 had ratings at both times" \
        in findings
    assert "Relational safety" in findings and "No control group" in findings
    assert '<em>d</em><sub>z</sub>\u00a0=\u00a0\u22121.70' in page  # one line, minus sign


def test_tables_and_figures_are_numbered_in_order_and_cross_referenced(report_html):
    page = report_html.read_text(encoding="utf-8")
    tables = [int(n) for n in re.findall(r'<span class="label">Table (\d+)</span>', page)]
    figures = [int(n) for n in re.findall(r'<span class="label">Figure (\d+)\.</span>', page)]
    assert tables == list(range(1, len(tables) + 1)) and len(tables) >= 12
    assert figures == list(range(1, len(figures) + 1)) and len(figures) == 5
    # the key findings refer forward to the paired-comparisons table by its number
    number = re.search(r'id="table-outcomes"><span class="label">Table (\d+)', page).group(1)
    assert f'<a href="#table-outcomes">Table {number}</a>' in page


def test_apa_symbols_are_italic_and_holm_is_spelled_once(report_html):
    page = report_html.read_text(encoding="utf-8")
    nb = "\u00a0"  # the relations of the APA sentences are kept on one line
    assert f"<em>t</em>(6){nb}={nb}\u22124.80" in page and f"<em>M</em>{nb}={nb}3.10" in page
    assert "d_z" not in visible_text(page).split("Configuration used")[0]
    assert "(holm)" not in page and "Holm-Bonferroni" not in page
    assert rt.apa_html("t(11) = -4.65, p < .001, d_z = -1.34") == (
        f"<em>t</em>(11){nb}={nb}\u22124.65, <em>p</em>{nb}&lt;{nb}.001, "
        f"<em>d</em><sub>z</sub>{nb}={nb}\u22121.34")


def test_flow_shows_per_outcome_n_where_it_differs_from_the_analysed_count():
    flow = pd.read_csv(FIXTURE / "results" / "participant_flow.csv")
    paired = pd.read_csv(FIXTURE / "results" / "paired_tests.csv")
    same = rt.flow_table_html(flow, 3, paired=paired)
    assert "analysed for" not in same  # every outcome has the analysed n (7)
    paired.loc[paired["outcome"] == "psoc_efficacy", "n_pairs"] = 6
    page = rt.flow_table_html(flow, 3, paired=paired)
    rows = re.findall(r"<tr>(.*?)</tr>", page)
    analysed = next(i for i, r in enumerate(rows) if "questionnaires complete" in r)
    assert "analysed for PSOC efficacy" in rows[analysed + 1]
    assert "<td>6</td>" in rows[analysed + 1]
    assert sum("analysed for" in r for r in rows) == 1
    # the analysis stage's own per-outcome row (analysed_for_<outcome>) is not shown twice
    flow = pd.concat([flow, pd.DataFrame([{"step": "analysed_for_psoc_efficacy", "n": 6,
                                           "detail": "PSOC efficacy: completers"}])])
    rows = re.findall(r"<tr>(.*?)</tr>", rt.flow_table_html(flow, 3, paired=paired))
    assert sum("analysed for" in r for r in rows) == 1


def test_engagement_is_a_readable_table_with_withheld_values_explained():
    engagement = pd.DataFrame({
        "measure": ["participants", "participants", "participants", "attending_session",
                    "sessions_attended_median", "sessions_attended_median",
                    "baseline_mean:prfq_pm", "baseline_mean:prfq_pm", "reason_left"],
        "group": ["enrolled", "completers", "early_leavers", "session_1", "completers",
                  "early_leavers", "completers", "early_leavers", "family"],
        "value": ["14", "12", "<3", "12", "8.0", "<3", "", "<3", "<3"],
        "detail": ["", "", "", "", "n = 12", "", "n = 12; mean withheld: the other group is "
                   "below the minimum cell size", "", ""]})
    page = rt.engagement_table_html(engagement, {"prfq_pm": "PRFQ pre-mentalizing"})
    text = visible_text(page)
    assert "sessions_attended_median" not in page and "baseline_mean" not in page
    assert "Measure All enrolled Completers Left early" in text
    assert "Parents 14 12 <3" in text
    assert "Sessions attended (median) 8.0 <3" in text
    assert "Mean before the group (then): PRFQ pre-mentalizing withheld <3" in text
    assert "Reason for leaving: family <3" in text and "session_1" not in text
    assert "the other group is below the minimum cell size" in text


def test_low_alpha_is_flagged_beside_the_result_and_in_the_limitations():
    paired = pd.read_csv(FIXTURE / "results" / "paired_tests.csv")
    reliability = pd.read_csv(FIXTURE / "results" / "reliability.csv")
    assert rs.low_alpha_scales(reliability, paired) == {}
    low = reliability.copy()
    low.loc[(low["scale"] == "certainty") & (low["time"] == "then"), "alpha"] = 0.30
    flags = rs.low_alpha_scales(low, paired)
    assert flags == {"prfq_cms": ["then: α = .30"]}
    table = rt.outcome_table_html(paired, 0.95, low)
    row = next(r for r in table.split("<tr>") if "certainty" in r)
    assert "low reliability" in row and "then: α = .30" in row
    assert sum("low reliability" in r for r in table.split("<tr>")) == 1
    limits = rt.limitations_html(n_analysed=7, design="retrospective", has_interviews=True,
                                 has_attendance=True, low_alpha=["PRFQ certainty (then: .30)"])
    assert "Low internal consistency: PRFQ certainty (then: .30)" in limits
    assert "(below .60)" in rt.reliability_table_html(low)


def test_sensitivity_is_interpreted_when_it_changes_a_conclusion():
    labels = {"prfq_cms": "PRFQ certainty"}
    rows = pd.DataFrame({"outcome": ["prfq_cms"] * 2, "sample": ["completers", "all_with_data"],
                         "n_pairs": [12, 13], "mean_change": [-0.36, -0.36], "d_z": [-0.63, -0.65],
                         "p": [0.0528, 0.0371]})
    changes = rs.sensitivity_changes(rows, labels)
    assert len(changes) == 1
    assert changes[0].startswith("PRFQ certainty: the change is significant at .05 for all "
                                 "parents with data (p = .037) but not for completers only "
                                 "(p = .053)")
    assert "What the sensitivity analysis changes" in rt.sensitivity_note_html(rows, labels)
    same = rows.assign(p=[0.01, 0.02])
    assert rs.sensitivity_changes(same, labels) == []
    assert "changes no conclusion" in rt.sensitivity_note_html(same, labels)
    flipped = rows.assign(mean_change=[0.1, -0.1], p=[0.5, 0.6])
    assert "reverses direction" in rs.sensitivity_changes(flipped, labels)[0]


def test_a_withheld_sensitivity_comparison_is_said_to_be_withheld_not_unchanged():
    """The audit's case: every all-with-data row withheld by the differencing rule, yet the note
    said "changes no conclusion"; recomputed, certainty crosses .05 with the early leaver."""
    labels = {"prfq_pm": "PRFQ pre-mentalizing", "prfq_cms": "PRFQ certainty"}
    rows = pd.DataFrame({
        "outcome": ["prfq_pm", "prfq_pm", "prfq_cms", "prfq_cms"],
        "sample": ["completers", "all_with_data"] * 2, "n_pairs": [12, 13, 12, 13],
        "mean_change": [-0.88, None, -0.36, None], "d_z": [-1.34, None, -0.63, None],
        "p": [0.0007, None, 0.053, None]})
    text = visible_text(rt.sensitivity_note_html(rows, labels, min_cell_size=3))
    assert "changes no conclusion" not in text
    assert "withheld for every outcome" in text and "fewer than 3 parents" in text
    assert "whether including the parents who did not complete the group changes a " \
        "conclusion is not shown" in text
    caveats = rs.sensitivity_caveats(rows, labels, 3)
    assert caveats == ["Whether including the parents who did not complete the group changes "
                       "a conclusion is not shown for any outcome: those parents number fewer "
                       "than 3, so their results are withheld under the disclosure rule."]
    # one outcome compared, one withheld: "no change" only for the one compared
    some = rows.copy()
    some.loc[1, ["mean_change", "d_z", "p"]] = [-0.9, -1.3, 0.0005]
    text = visible_text(rt.sensitivity_note_html(some, labels, min_cell_size=3))
    assert "withheld for PRFQ certainty" in text and "for these outcomes" in text
    assert "For the other outcomes, including the parents with data who did not complete the " \
        "group changes no conclusion: each keeps" in text
    assert "for PRFQ certainty" in rs.sensitivity_caveats(some, labels, 3)[0]
    # every outcome compared: the full claim, as before
    every = some.copy()
    every.loc[3, ["mean_change", "d_z", "p"]] = [-0.4, -0.6, 0.06]
    text = visible_text(rt.sensitivity_note_html(every, labels, min_cell_size=3))
    assert "changes no conclusion: every outcome keeps" in text and "withheld" not in text
    assert rs.sensitivity_caveats(every, labels, 3) == []


def test_a_result_that_is_not_significant_is_worded_so_everywhere():
    """The audit's case: certainty, Holm-adjusted p = .053, d_z CI [-1.24, 0.01], was "fell, a
    medium change" in the key findings."""
    row = {"outcome": "prfq_cms", "label": "PRFQ certainty", "mean_change": -0.36,
           "lead_es": -0.63, "lead_es_ci_low": -1.24, "lead_es_ci_high": 0.01, "p": 0.0528,
           "p_adjusted": 0.0528, "improved_direction_sign": 0,
           "apa": "PRFQ certainty decreased from M = 4.69 to M = 4.33, p = .053."}
    words = rs.change_words(row)
    assert words.startswith("no statistically significant change; the estimate, a medium "
                            "effect, favours a fall") and "fell," not in words
    # the adjusted p decides, and so does an interval including 0
    assert rs.change_words({**row, "p": 0.02, "p_adjusted": 0.06, "lead_es_ci_high": -0.1}
                           ).startswith("no statistically significant change")
    assert rs.change_words({**row, "p": 0.01, "p_adjusted": 0.01, "lead_es_ci_high": -0.1}
                           ).startswith("fell, a medium change")
    paired = pd.DataFrame([row, {**row, "outcome": "x", "p": 0.001, "p_adjusted": 0.004,
                                 "lead_es_ci_high": -0.2, "apa": "X fell."}])
    apa = rt.apa_sentences_html(paired)
    assert apa.count("not statistically significant") == 1
    assert apa.index("not statistically significant") < apa.index("X fell.")
    links = pd.DataFrame([{**row, "theme": "T", "n_pairs": 12, "n_voiced": 7,
                           "n_interviewed": 12, "quote": "q", "quote_pseudonym": "Q01",
                           "fit": "expansion", "meta_inference": "m"}])
    assert "not statistically significant" in rt.joint_display_links_html(links)


def test_effect_sizes_d_z_and_d_av_are_shown_and_defined():
    paired = pd.read_csv(FIXTURE / "results" / "paired_tests.csv")
    page = rt.outcome_table_html(paired)
    header = re.findall(r"<th>(.*?)</th>", page)
    assert header[-2:] == ["<em>d</em><sub>z</sub> [95% CI]", "<em>d</em><sub>av</sub> [95% CI]"]
    note = visible_text(page.split('class="table-note"')[1])
    assert "d z = M diff / SD diff" in note and "d av = M diff / (( SD pre + SD post ) / 2)" \
        in note
    limits = visible_text(rt.limitations_html(n_analysed=7, design="retrospective",
                                              has_interviews=True, has_attendance=True))
    assert "comparable neither with a between-subjects d nor with a published d whose type " \
        "is not stated" in limits
    assert "then-test ratings can also inflate the change" in limits
    assert limits.count("Hill & Betz, 2005") == 1  # extended, not repeated


def test_statistics_bounded_by_one_have_no_leading_zero_and_negatives_a_minus_sign():
    reliability = pd.read_csv(FIXTURE / "results" / "reliability.csv")
    reliability.loc[0, ["alpha", "alpha_ci_low", "omega"]] = [0.891, -0.52, 0.9]
    row = re.findall(r"<td>(.*?)</td>", rt.reliability_table_html(reliability).split("<tr>")[2])
    assert row[4] == ".89 [\u2212.52, " + row[4].split(", ")[1] and row[5] == ".90"
    dose = pd.DataFrame({"outcome": ["a"], "n": [13], "spearman_rho": [-0.2], "p": [0.5]})
    assert "<td>\u2212.20</td>" in rt.dose_response_table_html(dose, {})
    assert rs.low_alpha_scales(reliability.assign(alpha=0.3), pd.read_csv(
        FIXTURE / "results" / "paired_tests.csv"))["prfq_pm"][0] == "then: α = .30"
    # a hyphen in a word or a range is not a minus sign
    from parentgroup.formatting import typeset
    assert typeset("pre-mentalizing, items 1-7, RLC-101, -0.5") == \
        "pre-mentalizing, items 1-7, RLC-101, \u22120.5"


def test_gramms_counts_say_what_they_count():
    """The audit's case: "4 confirmation, 2 expansion, 1 discordance" summed to 7, neither the
    6 themes nor the 10 links."""
    themes = pd.DataFrame({"theme_id": list("abcdef"), "name": list("ABCDEF"),
                           "fit": ["expansion", "confirmation", "expansion; confirmation",
                                   "confirmation", "confirmation", "discordance"]})
    links = pd.DataFrame({"fit": ["expansion"] * 3 + ["confirmation"] * 6 + ["expansion"],
                          "theme": "A", "label": "L", "meta_inference": "m"})
    config = {"sites": {"s": {"design": "retrospective"}}}
    text = visible_text(rt.gramms_html(config, "s", n_analysed=12, n_interviewed=12,
                                       themes=themes, links=links))
    assert "fit judgements of the 10 theme-outcome links: 6 confirmation, 4 expansion." in text
    assert "including the discordant links" not in text
    text = visible_text(rt.gramms_html(config, "s", n_analysed=12, n_interviewed=12,
                                       themes=themes))
    assert ("fit judgements of the 6 themes: 4 with confirmation, 2 with expansion, 1 with "
            "discordance (a theme whose links differ in fit is counted under each)") in text
    assert "including the discordant links listed above" in text


def test_power_table_is_one_row_per_n_and_level():
    power = pd.DataFrame({"outcome": [o for o in "abcdef" for _ in range(3)],
                          "n_pairs": 12, "alpha": 0.05, "power": [0.8, 0.9, 0.95] * 6,
                          "min_detectable_d_z": [0.89, 1.03, 1.15] * 6})
    power.loc[power["outcome"] == "f", "n_pairs"] = 11
    power.loc[power["outcome"] == "f", "min_detectable_d_z"] = [0.93, 1.08, 1.21]
    page = rt.power_table_html(power, {"f": "PSOC efficacy"})
    rows = re.findall(r"<tr>(.*?)</tr>", page)[1:]
    assert len(rows) == 6  # 2 sample sizes x 3 power levels, not 18
    assert "<td>12</td><td>.05</td><td>.80</td><td>0.89</td><td>a, b, c, d, e</td>" in rows
    assert any("PSOC efficacy" in r and "<td>11</td>" in r for r in rows)


def test_qualitative_methods_come_from_config_with_not_stated_where_empty():
    config = {"sites": {"s": {"qualitative_methods": {
        "interviewer": "A researcher independent of the group",
        "transcription": "  "}}}}
    participants = pd.DataFrame({"completer": [True, True, False],
                                 "interviewed": [True, True, False]})
    page = rs.qualitative_methods_html(config, "s", participants=participants, n_interviewed=2,
                                       numbering=rs.Numbering(tables=["qualitative_methods"]))
    text = visible_text(page)
    assert "Who interviewed A researcher independent of the group" in text
    assert "Transcription not stated" in text and "Reflexivity not stated" in text
    assert "parents who left the group early were not interviewed" in text
    assert 'id="table-qualitative_methods"' in page


def test_every_template_renders_and_fixed_prose_is_not_in_python():
    source = (REPO / "workflow/parentgroup/report/sections.py").read_text(encoding="utf-8")
    for sentence in ("Then-test ratings rely on recall", "Themes are patterns of shared meaning",
                     "A convergent mixed-methods evaluation", "Justification for using mixed"):
        assert sentence not in source, sentence


# --------------------------------------------------------------------------- formats


def test_manuscript_tables_docx_is_apa_deterministic_and_read_by_the_leak_check(tmp_path):
    from docx import Document

    from parentgroup.leak_check.views import file_views
    from parentgroup.report import write_manuscript_tables

    kwargs = dict(paired_tests=FIXTURE / "results" / "paired_tests.csv",
                  reliability=FIXTURE / "results" / "reliability.csv",
                  joint_display_outcomes=FIXTURE / "results" / "joint_display_outcomes.csv",
                  title="Fixture", synthetic=True)
    write_manuscript_tables(out_docx=tmp_path / "a.docx", **kwargs)
    write_manuscript_tables(out_docx=tmp_path / "b.docx", **kwargs)
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    document = Document(str(tmp_path / "a.docx"))
    assert len(document.tables) == 3
    labels = [p for p in document.paragraphs if re.fullmatch(r"Table \d", p.text)]
    assert [p.text for p in labels] == ["Table 1", "Table 2", "Table 3"]
    assert all(p.runs[0].bold for p in labels)
    first = document.tables[0]
    assert first.cell(0, 0).text == "Outcome" and first.cell(1, 0).text == "PRFQ pre-mentalizing"
    m = "\u2212"  # the minus sign, as in the HTML report
    assert first.cell(1, 5).text == ".002"
    assert first.cell(1, 7).text == f"{m}1.70 [{m}2.80, {m}0.60]"
    assert any(r.italic and r.text == "M" for r in first.cell(0, 2).paragraphs[0].runs)
    # d_av beside d_z, each labelled; the two p columns named by their test
    header = [first.cell(0, i).text for i in range(len(first.columns))]
    assert header[7:] == ["dz [95% CI]", "dav [95% CI]", "Wilcoxon W", "p (Wilcoxon)", "rrb"]
    assert header[5] == "p (t test)" and header.count("p") == 0
    assert first.cell(1, 8).text == f"{m}1.36 [{m}2.24, {m}0.48]"
    assert first.cell(1, 11).text == ".93"  # r_rb: no leading zero
    subscripts = [r.text for r in first.cell(0, 8).paragraphs[0].runs if r.font.subscript]
    assert subscripts == ["av"]
    second = document.tables[1]
    assert re.fullmatch(r"\.\d\d \[\.\d\d, \.\d\d\]", second.cell(1, 4).text)  # alpha
    assert re.fullmatch(r"\.\d\d", second.cell(1, 5).text)  # omega
    notes = [p.text for p in document.paragraphs if p.text.startswith("Note.")]
    assert len(notes) == 3 and all("Synthetic demo data" in n for n in notes)
    assert not any("*" in n or "d_z" in n for n in notes)  # symbols set in italics, not marked
    assert "dav\u00a0=\u00a0the mean change divided by the average" in notes[0]
    assert "not comparable with a between-subjects d" in notes[0]
    views = file_views(tmp_path / "a.docx", "a.docx")
    assert any("PRFQ pre-mentalizing" in v.text for v in views if v.name.startswith("office"))


PDF_OK, PDF_WHY = pdf_support()


@pytest.mark.skipif(not PDF_OK, reason=f"no PDF here: {PDF_WHY}")
def test_pdf_has_numbered_pages_the_notice_on_each_and_is_read_by_the_leak_check(
        report_html, tmp_path):
    from parentgroup.leak_check.pdf_text import pdf_unicode_text
    from parentgroup.leak_check.views import file_views
    from parentgroup.report import write_report_pdf

    write_report_pdf(html=report_html, pdf=tmp_path / "a.pdf")
    data = (tmp_path / "a.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    text = pdf_unicode_text(data)
    pages = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert pages >= 5
    numbers = [int(n) for n in re.findall(rf"Page (\d+) of {pages}", text)]
    assert numbers == list(range(1, pages + 1))  # every page numbered, once
    notice = "SYNTHETIC DEMO DATA: fictional people; the numbers illustrate the"
    assert text.count(notice) >= pages  # the running notice on every page (+ the banner)
    joined = re.sub(r"\s+", " ", text)
    assert "Key findings" in joined and "Nobody looked at me like I was a bad mum" in joined
    # a planted name in the report reaches the PDF text view the leak check scans
    planted = tmp_path / "planted.html"
    planted.write_text(report_html.read_text(encoding="utf-8").replace(
        "Relational safety", "Relational safety Marigold Featherstonehaugh", 1),
        encoding="utf-8")
    write_report_pdf(html=planted, pdf=tmp_path / "planted.pdf")
    views = file_views(tmp_path / "planted.pdf", "planted.pdf")
    unicode_view = next(v for v in views if v.name == "pdf-unicode")
    assert "Featherstonehaugh" in unicode_view.text


@pytest.mark.skipif(not PDF_OK, reason=f"no PDF here: {PDF_WHY}")
def test_pdf_is_byte_identical_across_runs(report_html, tmp_path, caplog, monkeypatch):
    import time

    from parentgroup.report import write_report_pdf

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        write_report_pdf(html=report_html, pdf=tmp_path / "a.pdf")
    # the second run a day later: nothing the clock says may reach the file (fontTools stamps
    # each subset font with the time unless SOURCE_DATE_EPOCH is set)
    now = time.time
    monkeypatch.setattr(time, "time", lambda: now() + 86_400)
    write_report_pdf(html=report_html, pdf=tmp_path / "b.pdf")
    monkeypatch.undo()
    data = (tmp_path / "a.pdf").read_bytes()
    assert data == (tmp_path / "b.pdf").read_bytes()
    # the fixed file identifier is written (WeasyPrint's option is pdf_identifier; an unknown
    # option is only logged, and the PDF then has no /ID at all)
    assert re.search(rb"/ID \[\s*\(parentgroup-report\)", data)
    assert not [r for r in caplog.records if "rendering option" in r.getMessage()]
    # report.css keeps its screen-only rules (phone layout, zoom, scrolling) under @media
    # screen, which WeasyPrint skips: no warning about them reaches every report log
    assert [r.getMessage() for r in caplog.records if r.name == "weasyprint"] == []


def pdf_lines(html_path: Path) -> list[str]:
    """The text of every line of the report as WeasyPrint lays it out for the PDF."""
    import weasyprint
    from weasyprint.formatting_structure import boxes

    lines: list[str] = []

    def text_of(box) -> str:
        if isinstance(box, boxes.TextBox):
            return box.text
        return "".join(text_of(c) for c in getattr(box, "children", None) or [])

    def walk(box) -> None:
        if isinstance(box, boxes.LineBox):
            lines.append(text_of(box))
            return
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in weasyprint.HTML(filename=str(html_path)).render().pages:
        walk(page._page_box)
    return lines


def broken_statistics(lines: list[str]) -> list[str]:
    """Line ends that split a statistical expression: "p" | "= .053", "p =" | ".053",
    "p = ." | "053" (the point of a number without its leading zero), "(adj." | "< .001)".

    Where a line ends and the next begins is the newline of the joined lines.
    """
    joined = "\n".join(lines)
    patterns = [r"[=<>][ \u00a0]*\n[ \u00a0]*[\u2212\-.\d]", r"(?<=[ \u00a0(\[\u2212-])\.\n\d",
                r"\b[pt][ \u00a0]*\n[ \u00a0]*[=<>]", r"adj\.[ \u00a0]*\n"]
    found = []
    for pattern in patterns:
        found += [joined[max(0, m.start() - 4):m.end() + 2]
                  for m in re.finditer(pattern, joined)]
    return found


def test_broken_statistics_finds_a_split_p_value():
    assert len(broken_statistics(["t(11) = -2.17, p = .", "053 (Holm)"])) == 1
    assert len(broken_statistics(["the mean rose, p", "= .053"])) == 1
    assert len(broken_statistics(["t(11) =", "-2.17"])) == 1
    assert len(broken_statistics(["(adj.", "< .001)"])) == 1
    assert broken_statistics(["pre-test and post-test.", "12 parents", "(methods).", "4"]) == []


@pytest.mark.skipif(not PDF_OK, reason=f"no PDF here: {PDF_WHY}")
def test_pdf_never_breaks_a_line_inside_a_statistical_expression(report_html):
    """The audit's case: "p = .053" broke across a line in the PDF (at a space, or after the
    point of a number without its leading zero, which line breaking allows)."""
    lines = pdf_lines(report_html)
    assert len(lines) > 200
    assert broken_statistics(lines) == []


def test_pdf_support_names_what_is_missing(monkeypatch):
    import ctypes.util

    monkeypatch.setattr(ctypes.util, "find_library", lambda name: None)
    ok, why = pdf_support()
    if ok:  # pragma: no cover - WeasyPrint itself is not installed
        pytest.fail("pdf_support said yes without Pango")
    assert "Pango" in why or "WeasyPrint" in why
    assert "apt-get install libpango-1.0-0" in why or "requirements.lock" in why


def test_spss_file_carries_the_completer_flag_so_a_jasp_user_gets_the_report_n(tmp_path):
    import pyreadstat

    from parentgroup.instruments import load_instruments
    from parentgroup.scoring.spss_export import write_scores_sav

    instruments = load_instruments(["prfq"], [])
    rows = []
    for i, p in enumerate(["P01", "P02", "P03"]):
        for time, score in (("then", 3.0 + i), ("now", 4.0 + i)):
            rows.append({"pseudonym": p, "instrument": "prfq", "scale": "pre_mentalizing",
                         "scoring": "mean", "time": time, "score": score, "items_answered": 6,
                         "items_expected": 6, "prorated": False})
    scores = pd.DataFrame(rows)
    completers = pd.Series([True, True, False], index=["P01", "P02", "P03"])
    write_scores_sav(scores, instruments, tmp_path / "s.sav", completers)
    frame, meta = pyreadstat.read_sav(str(tmp_path / "s.sav"))
    assert list(frame.columns[:2]) == ["pseudonym", "completer"]
    assert meta.variable_value_labels["completer"] == {0.0: "left early", 1.0: "completer"}
    assert "filter on 1" in meta.column_names_to_labels["completer"]
    both = frame.dropna(subset=["prfq_pre_mentalizing_mean_then", "prfq_pre_mentalizing_mean_now"])
    assert len(both) == 3 and len(both[both["completer"] == 1]) == 2
    assert meta.column_names_to_labels["prfq_pre_mentalizing_mean_then"]


def test_report_without_scores_or_pdf_libraries_still_renders(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns("*.py"))
    scores = pd.DataFrame({"pseudonym": ["P01", "P01", "P02"], "instrument": "prfq",
                           "scale": "pre_mentalizing", "scoring": "mean",
                           "time": ["then", "now", "then"], "score": [3.0, 4.0, None],
                           "items_answered": [5, 6, 2], "items_expected": 6,
                           "prorated": [True, False, False]})
    scores.to_csv(site / "processed" / "scores.csv", index=False)
    text = visible_text(render_site(site, tmp_path / "out").read_text(encoding="utf-8"))
    assert "Prorated scale scores (parents per scale and time): PRFQ pre-mentalizing (then): <3" \
        in text
    assert "Scale scores missing" in text


def test_docx_zip_normalisation_fixes_member_dates():
    import zipfile

    from parentgroup.report.formats import FIXED_TIME, normalise_zip

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", "<a/>")
    fixed = zipfile.ZipFile(io.BytesIO(normalise_zip(buffer.getvalue())))
    assert fixed.getinfo("a.xml").date_time == FIXED_TIME
    assert fixed.read("a.xml") == b"<a/>"


# --------------------------------------------------------------------------- snakemake --report


def _render_rst(path: Path, config: dict, **wildcards) -> tuple[str, str]:
    import types

    import docutils.core
    import jinja2

    snakemake = types.SimpleNamespace(config=config,
                                      wildcards=types.SimpleNamespace(**wildcards))
    text = jinja2.Template(path.read_text(encoding="utf-8")).render(snakemake=snakemake)
    parts = docutils.core.publish_parts(text, writer="html",
                                        settings_overrides={"report_level": 1,
                                                            "halt_level": 5})
    return parts["title"], parts["body"]


@pytest.mark.parametrize("title", ["Short", "A much longer study title than the underline in "
                                   "the file, with a colon: and more words after it"])
def test_workflow_report_captions_render_without_docutils_messages(title):
    import yaml

    config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    config["study"]["title"] = title
    heading, body = _render_rst(REPO / "workflow/report/workflow.rst", config)
    assert heading == title  # once, not "X (X)"
    assert "system-message" not in body and "SYNTHETIC DEMO DATA" in body
    names = ["change_prfq_pm", "effect_sizes", "reliable_change", "participant_flow",
             "attendance", "joint_display_cases", "other"]
    for rst in sorted((REPO / "workflow/report").glob("*.rst")):
        for name in names:
            _title, body = _render_rst(rst, config, site="demo", name=name)
            assert "system-message" not in body and "problematic" not in body, (rst.name, name)
    _title, body = _render_rst(REPO / "workflow/report/report.rst", config, site="demo")
    assert "Synthetic demo data" in body


def test_one_label_style_for_scale_names(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns("*.py"))
    path = site / "results" / "paired_tests.csv"
    paired = pd.read_csv(path)
    paired.loc[0, "label"] = "PRFQ Pre-Mentalizing"
    paired.loc[0, "apa"] = "PRFQ Pre-Mentalizing changed from M = 3.10"
    paired.to_csv(path, index=False)
    tables = rt.read_report_tables(site / "results", site / "processed")
    assert tables["paired_tests"].loc[0, "label"] == "PRFQ pre-mentalizing"
    assert tables["paired_tests"].loc[0, "apa"].startswith("PRFQ pre-mentalizing changed")
    joint = tables["joint_display_outcomes"]
    assert "PRFQ pre-mentalizing" in set(joint["label"])
