"""Figures: every declared file in every format, byte-identical across runs, no dates, only
pseudonyms, message panels for empty inputs, and reference values behind the drawings."""

from __future__ import annotations

import hashlib
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from parentgroup.figures import draw_pooled_figures, draw_site_figures, figure_names
from parentgroup.figures.flow import attendance_matrix
from parentgroup.figures.outcomes import mean_ci, reliable_change_band
from parentgroup.figures.style import check_pseudonyms, save_figure
from parentgroup.outputs import figure_formats
from parentgroup.problems import InputError

FORMATS = ("png", "svg", "pdf")
TEST_DPI = 60  # the pipeline renders at 300 dpi; byte-stability does not depend on it

OUTCOME_META = {
    "prfq_pm": {"label": "Pre-mentalizing", "instrument": "prfq", "scale": "pre_mentalizing",
                "scoring": "mean", "direction": "lower_better", "range_min": 1, "range_max": 7},
    "prfq_cms": {"label": "Certainty about mental states", "instrument": "prfq",
                 "scale": "certainty", "scoring": "mean", "direction": "mid_optimal",
                 "range_min": 1, "range_max": 7},
    "prfq_ic": {"label": "Interest and curiosity", "instrument": "prfq",
                "scale": "interest_curiosity", "scoring": "mean", "direction": "higher_better",
                "range_min": 1, "range_max": 7},
    "psoc_total": {"label": "Total", "instrument": "psoc", "scale": "total", "scoring": "sum",
                   "direction": "higher_better", "range_min": 17, "range_max": 102},
    "psoc_satisfaction": {"label": "Satisfaction", "instrument": "psoc", "scale": "satisfaction",
                          "scoring": "sum", "direction": "higher_better", "range_min": 9,
                          "range_max": 54},
    "psoc_efficacy": {"label": "Efficacy", "instrument": "psoc", "scale": "efficacy",
                      "scoring": "sum", "direction": "higher_better", "range_min": 7,
                      "range_max": 42},
}
# outcome -> (pre mean, pre sd, mean change, sd of change, reliability)
SHAPE = {
    "prfq_pm": (3.6, 0.9, -0.8, 0.6, 0.78),
    "prfq_cms": (4.6, 0.8, -0.35, 0.55, 0.82),
    "prfq_ic": (4.4, 0.8, 1.0, 0.55, 0.75),
    "psoc_total": (58.0, 8.0, 10.0, 6.2, 0.85),
    "psoc_satisfaction": (28.0, 5.0, 6.0, 4.0, 0.80),
    "psoc_efficacy": (24.0, 4.0, 3.5, 3.0, 0.76),
}
THEMES = ["relational_safety", "enhanced_mentalizing", "affect_regulation",
          "transformed_interactions", "reduced_stress", "facilitation_style"]
THEME_NAMES = ["Relational safety", "Enhanced mentalizing capacity", "Improved affect regulation",
               "Transformed parent-child interactions", "Reduced parental stress",
               "Facilitation style as an active ingredient"]


def synthetic_site(seed: int = 7, n_enrolled: int = 15, n_complete: int = 12) -> dict:
    """Realistic tables of one site (12 completers of 15 enrolled, 10 sessions)."""
    rng = np.random.default_rng(seed)
    pseudonyms = [f"P{i:02d}" for i in range(1, n_enrolled + 1)]
    completers = pseudonyms[:n_complete]
    interviewed = completers[:8]
    sessions = 10
    attendance_rows = []
    for index, p in enumerate(pseudonyms):
        p_attend = 0.85 if p in completers else 0.3
        for s in range(1, sessions + 1):
            if index == 13 and s > 7:
                continue  # no record for the last sessions
            attendance_rows.append({"pseudonym": p, "session": s,
                                    "attended": int(rng.random() < p_attend)})
    attendance = pd.DataFrame(attendance_rows)
    attended = attendance.groupby("pseudonym")["attended"].sum()
    participants = pd.DataFrame({
        "pseudonym": pseudonyms,
        "group": "A",
        "relationship": "mother",
        "child_age_band": "8-11",
        "child_gender": "*",
        "diagnosis_category": "neurodevelopmental",
        "consent_quotes": ["yes" if i % 4 else "no" for i in range(n_enrolled)],
        "sessions_attended": [int(attended.get(p, 0)) for p in pseudonyms],
        "completer": [p in completers for p in pseudonyms],
        "left_early": [p not in completers for p in pseudonyms],
        "reason_left_category": ["" if p in completers else "work" for p in pseudonyms],
        "interviewed": [p in interviewed for p in pseudonyms],
    })
    rc_rows, tests, score_rows = [], [], []
    for outcome, meta in OUTCOME_META.items():
        pre_mean, pre_sd, change_mean, change_sd, reliability = SHAPE[outcome]
        pre = rng.normal(pre_mean, pre_sd, n_complete)
        change = rng.normal(change_mean, change_sd, n_complete)
        if meta["scoring"] == "sum":
            pre, change = np.round(pre), np.round(change)
        else:
            pre, change = np.round(pre * 6) / 6, np.round(change * 6) / 6
        post = np.clip(pre + change, meta["range_min"], meta["range_max"])
        pre = np.clip(pre, meta["range_min"], meta["range_max"])
        change = post - pre
        sd_pre = float(np.std(pre, ddof=1))
        s_diff = math.sqrt(2) * sd_pre * math.sqrt(1 - reliability)
        rci = change / s_diff
        sign = -1 if meta["direction"] == "lower_better" else 1
        for p, a, b, c, r in zip(completers, pre, post, change, rci, strict=True):
            if meta["direction"] == "mid_optimal":
                category = ("reliable increase" if r > 1.96 else "reliable decrease"
                            if r < -1.96 else "no reliable change")
            else:
                category = ("improved" if sign * r > 1.96 else "deteriorated"
                            if sign * r < -1.96 else "no reliable change")
            rc_rows.append({"pseudonym": p, "outcome": outcome, "pre": a, "post": b,
                            "change": c, "rci": r, "reliability": reliability,
                            "reliability_source": "sample_alpha", "sd_pre": sd_pre,
                            "category": category})
            for time, value in (("then", a), ("now", b)):
                score_rows.append({"pseudonym": p, "instrument": meta["instrument"],
                                   "scale": meta["scale"], "scoring": meta["scoring"],
                                   "time": time, "score": value, "items_answered": 6,
                                   "items_expected": 6, "prorated": False})
        n = n_complete
        mean_c, sd_c = float(change.mean()), float(change.std(ddof=1))
        half = 2.201 * sd_c / math.sqrt(n)
        d_z = mean_c / sd_c
        se = math.sqrt(1 / n + d_z**2 / (2 * n))
        p_value = 0.0004 if abs(d_z) > 1 else 0.052
        tests.append({"outcome": outcome, "label": meta["label"], "instrument": meta["instrument"],
                      "scale": meta["scale"], "scoring": meta["scoring"],
                      "direction": meta["direction"], "n_pairs": n, "n_dropped": 0,
                      "mean_pre": pre.mean(), "sd_pre": sd_pre, "mean_post": post.mean(),
                      "sd_post": post.std(ddof=1), "mean_change": mean_c,
                      "change_ci_low": mean_c - half, "change_ci_high": mean_c + half,
                      "d_z": d_z, "d_z_ci_low": d_z - 1.96 * se, "d_z_ci_high": d_z + 1.96 * se,
                      "p": p_value, "p_adjusted": min(1.0, p_value * 2), "p_adjust_method": "holm",
                      "lead_effect_size": "d_z", "lead_es": d_z,
                      "lead_es_ci_low": d_z - 1.96 * se, "lead_es_ci_high": d_z + 1.96 * se,
                      "improved_direction_sign": sign})
    reliable_change = pd.DataFrame(rc_rows).sort_values(["pseudonym", "outcome"])
    paired_tests = pd.DataFrame(tests)
    presence_rows = []
    for i, p in enumerate(interviewed):
        for j, theme in enumerate(THEMES):
            present = (i + j) % 3 != 0
            presence_rows.append({"pseudonym": p, "theme_id": theme, "present": present,
                                  "n_excerpts": (i + j) % 4 if present else 0})
    theme_presence = pd.DataFrame(presence_rows)
    themes = pd.DataFrame({"theme_id": THEMES, "name": THEME_NAMES,
                           "central_organising_concept": "...", "n_participants": 5,
                           "n_excerpts": 9, "outcomes": "", "fit": "confirmation", "note": ""})
    wide = reliable_change.pivot(index="pseudonym", columns="outcome", values=["change",
                                                                               "category"])
    joint_cases = pd.DataFrame({"pseudonym": completers})
    for outcome in OUTCOME_META:
        joint_cases[f"{outcome}_change"] = wide[("change", outcome)].reindex(completers).values
    for outcome in OUTCOME_META:
        joint_cases[f"{outcome}_category"] = wide[("category", outcome)].reindex(
            completers).values
    joint_cases["themes_present"] = [
        ";".join(theme_presence.loc[(theme_presence.pseudonym == p) & theme_presence.present,
                                    "theme_id"]) for p in completers]
    flow = pd.DataFrame({
        "step": ["enrolled", "attended_min_sessions", "questionnaires_complete", "interviewed",
                 "quotes_consented", "left_early", "excluded"],
        "n": [n_enrolled, n_complete, n_complete, len(interviewed),
              int(participants.loc[participants.interviewed, "consent_quotes"].eq("yes").sum()),
              n_enrolled - n_complete, 1],
        "detail": ["parents on the roster", "attended at least 6 sessions (completers)",
                   "completers with every outcome scored at both times (analysed)",
                   "parents with an interview transcript",
                   "interviewed parents who consented to be quoted",
                   "attended fewer sessions than the threshold",
                   "questionnaire row matches nobody on the roster (questionnaire.csv)"],
    })
    return {
        "scores": pd.DataFrame(score_rows), "paired_tests": paired_tests,
        "reliable_change": reliable_change, "participant_flow": flow, "attendance": attendance,
        "participants": participants, "joint_cases": joint_cases,
        "theme_presence": theme_presence, "themes": themes,
    }


def empty_site() -> dict:
    """A site without interviews and without attendance records."""
    site = synthetic_site()
    site["attendance"] = pd.DataFrame(columns=["pseudonym", "session", "attended"])
    site["theme_presence"] = pd.DataFrame(columns=["pseudonym", "theme_id", "present",
                                                   "n_excerpts"])
    site["themes"] = pd.DataFrame(columns=["theme_id", "name"])
    site["joint_cases"] = site["joint_cases"].assign(themes_present="")
    return site


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())}


SECOND_RUN = """
import sys
from pathlib import Path
sys.path.insert(0, {tests!r})
from test_figures import OUTCOME_META, TEST_DPI, synthetic_site
from parentgroup.figures import draw_site_figures
draw_site_figures(**synthetic_site(), outcome_meta=OUTCOME_META, design="retrospective",
                  out_dir=Path({out!r}), dpi=TEST_DPI, processes=2)
"""


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """The same site drawn twice: serially in this process, and by two forked workers in a fresh
    interpreter with another hash seed (set and dict ordering, font caches, ids and the worker
    that drew a figure must not leak into the files)."""
    first = tmp_path_factory.mktemp("figures_a")
    table = draw_site_figures(**synthetic_site(), outcome_meta=OUTCOME_META,
                              design="retrospective", out_dir=first, dpi=TEST_DPI)
    second = tmp_path_factory.mktemp("figures_b")
    env = dict(os.environ, PYTHONHASHSEED="12345", MPLBACKEND="Agg")
    code = SECOND_RUN.format(tests=str(Path(__file__).parent), out=str(second))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return [(first, table), (second, pd.read_csv(second / "figures.csv"))]


def test_seaborn_draws_the_same_files_with_or_without_scipy_stats(two_runs, tmp_path):
    """The figures keep seaborn from importing scipy.stats (outcomes._import_seaborn, a second
    saved in every figures job); a run where scipy.stats was imported first, so that seaborn
    takes it, must write the same bytes."""
    first, _ = two_runs[0]
    code = "import scipy.stats\n" + SECOND_RUN.format(tests=str(Path(__file__).parent),
                                                       out=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, MPLBACKEND="Agg"), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert _digests(tmp_path) == _digests(first)


def test_the_figures_module_leaves_scipy_stats_unimported():
    code = ("import sys, pandas, parentgroup.figures, seaborn._statistics as s\n"
            "print('scipy.stats' in sys.modules, s._no_scipy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=dict(os.environ, MPLBACKEND="Agg"), timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True"]


def test_figure_formats_always_include_png_in_a_fixed_order(tmp_path):
    assert figure_formats(["pdf", "png"]) == ("png", "pdf")
    for bad in (["svg", "pdf"], ["png", "tiff"], []):
        with pytest.raises(ValueError, match="expected png plus any of svg, pdf"):
            figure_formats(bad)
    import matplotlib.pyplot as plt

    save_figure(plt.figure(), tmp_path, "only_png", dpi=TEST_DPI)  # an earlier run: all three
    (tmp_path / "other.pdf").write_bytes(b"%PDF not ours")
    paths = save_figure(plt.figure(), tmp_path, "only_png", dpi=TEST_DPI, formats=["png"])
    assert paths == [tmp_path / "only_png.png"]
    # the earlier run's vector files of this figure are gone; other files are left alone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["only_png.png", "other.pdf"]


def test_figure_names_are_deterministic():
    names = figure_names(list(OUTCOME_META))
    assert names[:6] == [f"change_{o}" for o in OUTCOME_META]
    assert names[6:] == ["effect_sizes", "reliable_change", "participant_flow", "attendance",
                         "joint_display_cases"]


def test_every_declared_file_exists_in_every_format(two_runs):
    out, table = two_runs[0]
    names = figure_names(list(OUTCOME_META))
    for name in names:
        for ext in FORMATS:
            assert (out / f"{name}.{ext}").stat().st_size > 1000, (name, ext)
    written = pd.read_csv(out / "figures.csv")
    assert list(written.columns) == ["name", "title", "caption", "alt_text"]
    assert list(written["name"]) == names == list(table["name"])
    assert written[["title", "caption", "alt_text"]].notna().all().all()


def test_two_runs_are_byte_identical(two_runs):
    (first, _), (second, _) = two_runs
    assert _digests(first) == _digests(second)


def test_svg_and_pdf_carry_no_date(two_runs):
    out, _ = two_runs[0]
    date = re.compile(rb"(19|20)\d\d-\d\d-\d\d|D:20\d{6}|CreationDate|<dc:date>")
    for name in figure_names(list(OUTCOME_META)):
        for ext in ("svg", "pdf"):
            assert not date.search((out / f"{name}.{ext}").read_bytes()), (name, ext)
        assert b"Software" not in (out / f"{name}.png").read_bytes()[:2000]


def test_svg_text_labels_only_pseudonyms(two_runs):
    out, _ = two_runs[0]
    svg = (out / "attendance.svg").read_text()
    # the attendance grid carries no codes (the motivated-intruder route: who came when)
    assert set(re.findall(r">\s*(P\d+)\s*<", svg)) == set()
    assert not re.search(r"P\d{2}", svg)
    joint = (out / "joint_display_cases.svg").read_text()
    assert set(re.findall(r">\s*(P\d+)\s*<", joint)) == {f"P{i:02d}" for i in range(1, 13)}


def test_text_is_at_least_7_pt(two_runs):
    """Journal minimum: every text >= 7 pt (SVG user units are points); mathtext subscripts
    (0.7 x their base size, e.g. the z of d_z) are the only exception."""
    out, _ = two_runs[0]
    for name in figure_names(list(OUTCOME_META)):
        sizes = {float(v) for v in
                 re.findall(r"font-size: ([0-9.]+)px", (out / f"{name}.svg").read_text())}
        assert sizes, name
        for size in sizes:
            assert size >= 7 or any(abs(size - 0.7 * base) < 0.01 for base in sizes), (name, size)


def test_a_name_in_the_pseudonym_column_stops_the_figures(tmp_path):
    tables = synthetic_site()
    tables["attendance"].loc[0, "pseudonym"] = "Jane Smith"
    with pytest.raises(InputError) as error:
        draw_site_figures(**tables, outcome_meta=OUTCOME_META, design="retrospective",
                          out_dir=tmp_path, dpi=TEST_DPI)
    assert "Jane" not in str(error.value)
    assert check_pseudonyms(["P01", "P100"], "x.csv") == ["P01", "P100"]


def test_captions_and_alt_text_come_from_the_data(two_runs):
    _, table = two_runs[0]
    tables = synthetic_site()
    rows = table.set_index("name")
    pm = tables["reliable_change"].query("outcome == 'prfq_pm'")
    alt = rows.at["change_prfq_pm", "alt_text"]
    assert f"mean moved from {pm.pre.mean():.2f}" in alt
    assert f"to {pm.post.mean():.2f}" in alt
    n_improved = int((pm.category == "improved").sum())
    assert f"{n_improved} improved" in alt
    assert "12 parents" in alt
    d_z = tables["paired_tests"].set_index("outcome").at["prfq_ic", "lead_es"]
    assert f"d_z = {d_z:.2f}" in rows.at["effect_sizes", "alt_text"]
    assert "mid-range optimal" in rows.at["effect_sizes", "alt_text"]
    assert "enrolled: 15" in rows.at["participant_flow", "alt_text"]
    for name, row in rows.iterrows():
        assert row["title"] and len(row["caption"]) > 40 and len(row["alt_text"]) > 40, name


def test_axis_labels_state_scale_and_range(two_runs):
    out, _ = two_runs[0]
    svg = (out / "change_psoc_total.svg").read_text()
    assert "PSOC total (sum, 17-102)" in svg
    assert "Then (retrospective pre)" in svg and "Now (post)" in svg
    assert "PRFQ pre-mentalizing" in (out / "change_prfq_pm.svg").read_text()
    forest = (out / "effect_sizes.svg").read_text()
    assert "mid-range optimal" in forest and "improvement" in forest


def test_empty_site_still_draws_every_figure_with_a_message(tmp_path):
    meta = {k: OUTCOME_META[k] for k in ("prfq_pm", "prfq_cms")}
    table = draw_site_figures(**empty_site(), outcome_meta=meta, design="prospective",
                              out_dir=tmp_path, dpi=TEST_DPI)
    for name in figure_names(list(meta)):
        for ext in FORMATS:
            assert (tmp_path / f"{name}.{ext}").is_file(), (name, ext)
    assert "No interview" in (tmp_path / "joint_display_cases.svg").read_text()
    assert "No attendance data at this site" in (tmp_path / "attendance.svg").read_text()
    svg = (tmp_path / "change_prfq_pm.svg").read_text()
    assert ">Pre<" in svg and ">Post<" in svg and "retrospective" not in svg
    rows = table.set_index("name")
    assert "No interview data" in rows.at["joint_display_cases", "alt_text"]
    assert "No attendance data" in rows.at["attendance", "alt_text"]
    # the change scores are still shown beside the missing interviews
    assert "Parents with reliable improvement" in rows.at["joint_display_cases", "alt_text"]


def test_all_inputs_empty_never_crash(tmp_path):
    empty = pd.DataFrame()
    meta = {k: OUTCOME_META[k] for k in ("prfq_pm", "psoc_total")}
    table = draw_site_figures(
        scores=empty, paired_tests=empty, reliable_change=empty, participant_flow=empty,
        attendance=empty, participants=empty, joint_cases=empty, theme_presence=empty,
        themes=empty, outcome_meta=meta, design="retrospective", out_dir=tmp_path,
        dpi=TEST_DPI)
    assert list(table["name"]) == figure_names(list(meta))
    assert len(list(tmp_path.glob("*.png"))) == len(table)


def test_reliable_change_band_matches_jacobson_truax():
    # SEM = 1 * sqrt(0.2) = 0.4472; S_diff = sqrt(2) * SEM = 0.6325; band = 1.96 * S_diff
    assert reliable_change_band(1.0, 0.8) == pytest.approx(1.2396, abs=1e-4)
    # PSOC-like: sd 8, alpha .85 -> S_diff = 4.382, band 8.588
    assert reliable_change_band(8.0, 0.85) == pytest.approx(8.5882, abs=1e-3)
    assert math.isnan(reliable_change_band(1.0, float("nan")))


def test_mean_ci_matches_t_interval():
    # 1..5: mean 3, sd 1.5811, t(.975, 4) = 2.7764 -> half-width 1.9632
    mean, low, high = mean_ci(np.array([1, 2, 3, 4, 5.0]))
    assert (mean, low, high) == pytest.approx((3.0, 1.0368, 4.9632), abs=1e-4)


def test_attendance_matrix_marks_missing_records():
    attendance = pd.DataFrame({"pseudonym": ["P02", "P01", "P01"], "session": [1, 1, 2],
                               "attended": [1, 0, 1]})
    participants = pd.DataFrame({"pseudonym": ["P01", "P02", "P03"]})
    matrix = attendance_matrix(attendance, participants)
    assert list(matrix.index) == ["P01", "P02", "P03"]
    assert matrix.loc["P01"].tolist() == [0, 1]
    assert matrix.loc["P02", 1] == 1 and np.isnan(matrix.loc["P02", 2])
    assert matrix.loc["P03"].isna().all()


def _pooled_inputs():
    sites = {}
    for k, site in enumerate(["north", "south", "west"]):
        table = synthetic_site(seed=11 + k)["paired_tests"]
        sites[site] = table.assign(site=site)
    meta_rows = []
    for outcome in OUTCOME_META:
        d = np.array([sites[s].set_index("outcome").at[outcome, "d_z"] for s in sites])
        for method, shift in (("dl", 0.1), ("pm", 0.05), ("reml", 0.0)):
            est, se = float(d.mean()) + shift, 0.25
            meta_rows.append({"outcome": outcome, "k_sites": 3, "method": method,
                              "estimate": est, "se": se, "ci_low": est - 1.96 * se,
                              "ci_high": est + 1.96 * se, "tau2": 0.04, "i2": 31.0, "q": 2.9,
                              "q_p": 0.23, "pi_low": est - 1.2, "pi_high": est + 1.2})
    return sites, pd.DataFrame(meta_rows)


def test_pooled_forest_is_written_and_stable(tmp_path):
    sites, meta = _pooled_inputs()
    first = draw_pooled_figures(sites, meta, tmp_path / "a", outcome_meta=OUTCOME_META,
                                dpi=TEST_DPI)
    draw_pooled_figures(sites, meta, tmp_path / "b", outcome_meta=OUTCOME_META, dpi=TEST_DPI)
    assert list(first["name"]) == ["pooled_forest"]
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    for ext in FORMATS:
        assert (tmp_path / "a" / f"pooled_forest.{ext}").is_file()
    reml = meta[meta.method == "reml"].set_index("outcome")
    est = reml.at["psoc_total", "estimate"]
    assert f"pooled {est:.2f}" in first.at[0, "alt_text"]  # REML drawn by default
    assert "I2 = 31%" in first.at[0, "alt_text"]
    assert "REML" in first.at[0, "caption"]
    assert "prediction interval" in first.at[0, "alt_text"]


def _pdf_streams(path: Path) -> list[bytes]:
    import zlib

    data = path.read_bytes()
    streams = []
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(match.group(1)))
        except zlib.error:
            streams.append(match.group(1))
    return streams


def test_pdf_embeds_truetype_fonts_without_layout_tables_and_keeps_text_searchable(two_runs):
    """The lean PDF font subsetting (style.lean_pdf_fonts) must keep real embedded TrueType
    fonts with glyph outlines, and a ToUnicode map that still spells the labels."""
    import io

    from fontTools.ttLib import TTFont

    out, _ = two_runs[0]
    pdf = out / "change_prfq_pm.pdf"
    streams = _pdf_streams(pdf)
    fonts = [TTFont(io.BytesIO(s)) for s in streams if s[:4] in (b"\x00\x01\x00\x00", b"true")]
    assert fonts, "no embedded TrueType font program"
    for font in fonts:
        assert "glyf" in font and font["maxp"].numGlyphs > 1  # .notdef and the glyphs drawn
        assert not {"GSUB", "GPOS", "GDEF"} & set(font.keys())
    mapped = set()
    for cmap in (s for s in streams if b"begincmap" in s):
        targets = b" ".join(re.findall(rb"\[([^\]]*)\]", cmap))  # bfrange arrays
        targets += b" ".join(re.findall(rb"<[0-9A-Fa-f]+>\s*(<[0-9A-Fa-f]{4}>)\s*$", cmap, re.M))
        mapped |= {chr(int(h, 16)) for h in re.findall(rb"<([0-9A-Fa-f]{4})>", targets)}
    assert set("Pre-mentalizing") <= mapped | {" "}
    assert b"/FontFile2" in pdf.read_bytes()


def test_a_large_site_gets_aggregate_figures_without_per_parent_labels(tmp_path):
    """Above MANY_PARENTS parents: faded lines and jittered dots, an attendance image without
    row labels, and a message instead of a case-level joint display thousands of rows high."""
    from parentgroup.figures.style import MANY_PARENTS

    n = MANY_PARENTS + 50
    table = draw_site_figures(**synthetic_site(seed=3, n_enrolled=n, n_complete=n - 10),
                              outcome_meta=OUTCOME_META, design="retrospective",
                              out_dir=tmp_path, dpi=TEST_DPI, processes=2)
    for name in figure_names(list(OUTCOME_META)):
        for ext in FORMATS:
            assert (tmp_path / f"{name}.{ext}").stat().st_size > 1000, (name, ext)
    attendance = (tmp_path / "attendance.svg").read_text()
    assert not re.search(r">\s*P\d+\s*<", attendance)  # no row labels
    assert f"Parents (n = {n})" in attendance
    joint = table.set_index("name").loc["joint_display_cases"]
    assert "joint_display_cases.csv" in joint["caption"]
    from PIL import Image

    with Image.open(tmp_path / "joint_display_cases.png") as image:
        assert image.height < 10 * TEST_DPI  # a message panel, not one row per parent
    assert str(n - 10) in table.set_index("name").loc["change_prfq_pm", "alt_text"]


def _embedded_glyphs(pdf: Path) -> dict[str, dict[str, tuple]]:
    """Each embedded TrueType font of a PDF: glyph name -> (outline coordinates, advance)."""
    import io

    from fontTools.ttLib import TTFont

    fonts = {}
    for stream in _pdf_streams(pdf):
        if stream[:4] not in (b"\x00\x01\x00\x00", b"true"):
            continue
        font = TTFont(io.BytesIO(stream))
        glyf, hmtx = font["glyf"], font["hmtx"]
        glyphs = {}
        for name in font.getGlyphOrder():
            coordinates, _, _ = glyf[name].getCoordinates(glyf)
            glyphs[name] = (tuple(map(tuple, coordinates)), hmtx[name][0])
        family = font["name"].getDebugName(4)
        fonts.setdefault(family, {}).update(glyphs)
    return fonts


def test_cached_pdf_font_subsets_hold_the_same_glyphs_as_matplotlibs_own(tmp_path):
    """save_figure subsets each font once per process and then per PDF from that small font
    (style._SubsetCache); the embedded fonts must hold the same glyphs, outlines and widths as
    matplotlib's own subsetting (with the same lean options), for common characters and for
    characters outside the common set."""
    import matplotlib.pyplot as plt

    from parentgroup.figures.style import figure_style, lean_pdf_fonts, save_figure

    def draw():
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.set_title("Pre-mentalizing \u2212 0.8 (\u00e9t\u00e9)")
        # \u0141 and \u017a lie outside style.COMMON_CHARACTERS
        ax.set_xlabel("Then \u2192 now, \u0141\u00f3d\u017a")
        ax.text(0.1, 0.5, "$d$ = 1.34", fontstyle="oblique")
        return fig

    for attempt in range(2):  # the second figure is served from the cache
        with figure_style():
            save_figure(draw(), tmp_path, f"cached{attempt}", dpi=TEST_DPI)
    with figure_style(), lean_pdf_fonts(cache=False):
        plain = draw()
        plain.savefig(tmp_path / "plain.pdf", format="pdf")
        plt.close(plain)
    reference = _embedded_glyphs(tmp_path / "plain.pdf")
    assert reference and any(len(glyphs) > 10 for glyphs in reference.values())
    for attempt in range(2):
        assert _embedded_glyphs(tmp_path / f"cached{attempt}.pdf") == reference


@pytest.mark.parametrize("text", ["Pre-mentalizing \u2212 0.8 (\u00e9t\u00e9) \u2192",
                                  "\u0141\u00f3d\u017a 1.34"])
def test_cached_font_subset_maps_every_glyph_to_the_same_glyph(text):
    """The glyph ids the PDF writer gets back from the cached subsetter point at the glyphs it
    asked for (a wrong map would draw other letters with the right fonts embedded)."""
    from matplotlib.backends import _backend_pdf_ps as pdf_ps
    from matplotlib.font_manager import FontProperties, findfont, get_font

    from parentgroup.figures.style import _SubsetCache, lean_pdf_fonts

    path = findfont(FontProperties(family="DejaVu Sans"))
    font = get_font(path)
    charmap = font.get_charmap()
    glyphs = sorted({charmap[ord(char)] for char in text})
    with lean_pdf_fonts(cache=False):
        cache = _SubsetCache(pdf_ps.get_glyphs_subset)
        with cache.get_glyphs_subset(path, glyphs) as result:
            order = result.font.getGlyphOrder()
            names = [order[result.glyph_index_map[glyph]] for glyph in glyphs]
    assert names == [font.get_glyph_name(glyph) for glyph in glyphs]
