"""Issue 19, figures: no title drawn in (the caption carries it), a "Synthetic data" mark,
a second cue beside colour, WCAG AA contrast for every text, tied scores made visible, and one
label style for scale names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.text import Text
from test_figures import OUTCOME_META, synthetic_site

import parentgroup.figures as figures_module
from parentgroup.figures import draw_site_figures
from parentgroup.figures.outcomes import swarm_offsets, tie_counts, tie_dodge
from parentgroup.figures.style import (
    CATEGORY_STYLE,
    OKABE_ITO,
    SYNTHETIC_MARK,
    WCAG_AA_TEXT,
    contrast_ratio,
    relative_luminance,
    text_colour_on,
)
from parentgroup.labels import outcome_label


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def _background(text: Text, fig) -> str:
    gid = text.get_gid() or ""
    if gid.startswith("on-background "):
        return gid.split(" ", 1)[1]
    patch = text.get_bbox_patch()
    if patch is not None and patch.get_facecolor()[3] > 0:
        return to_hex(patch.get_facecolor())
    return to_hex(fig.get_facecolor())


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    """Every site figure as drawn (before saving): name -> (figure, record)."""
    found = {}
    original = figures_module.save_figure

    def capture(fig, out_dir, name, **kwargs):
        fig.canvas.draw()
        found[name] = fig
        return original(fig, out_dir, name, **kwargs)

    figures_module.save_figure = capture
    try:
        site = synthetic_site()
        table = draw_site_figures(**site, outcome_meta=OUTCOME_META, design="retrospective",
                                  out_dir=tmp_path_factory.mktemp("figs"), dpi=50,
                                  formats=("png",), synthetic=True)
    finally:
        figures_module.save_figure = original
    records = table.set_index("name")
    return {name: (fig, records.loc[name]) for name, fig in found.items()}


def test_no_figure_draws_its_title(drawn):
    for name, (fig, record) in drawn.items():
        texts = [t.get_text() for t in _texts(fig)]
        assert record["title"] not in texts, name
        assert fig._suptitle is None, name
        assert record["title"] and record["caption"], name  # figures.csv carries them


def test_every_figure_of_a_synthetic_site_says_so(drawn, tmp_path):
    for name, (fig, _) in drawn.items():
        assert SYNTHETIC_MARK in [t.get_text() for t in _texts(fig)], name
    site = synthetic_site()
    found = []
    original = figures_module.save_figure
    figures_module.save_figure = lambda fig, *a, **k: found.append(
        [t.get_text() for t in _texts(fig)]) or original(fig, *a, **k)
    try:
        draw_site_figures(**site, outcome_meta=OUTCOME_META, design="retrospective",
                          out_dir=tmp_path, dpi=50, formats=("png",))
    finally:
        figures_module.save_figure = original
    assert found and not any(SYNTHETIC_MARK in texts for texts in found)


def test_wcag_formulas_match_published_values():
    # WebAIM contrast checker: #767676 on white 4.54:1, #777777 4.48:1; black/white 21:1
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.005)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.005)
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert relative_luminance("#808080") == pytest.approx(0.2158605, abs=1e-6)
    for colour in list(OKABE_ITO.values()) + [s["color"] for s in CATEGORY_STYLE.values()]:
        assert contrast_ratio(text_colour_on(colour), colour) >= WCAG_AA_TEXT, colour


def test_every_text_meets_wcag_aa_contrast(drawn):
    checked = 0
    for name, (fig, _) in drawn.items():
        for text in _texts(fig):
            background = _background(text, fig)
            ratio = contrast_ratio(text.get_color(), background)
            assert ratio >= WCAG_AA_TEXT, (name, text.get_text(), text.get_color(), background,
                                           round(ratio, 2))
            checked += 1
    on_cells = sum((t.get_gid() or "").startswith("on-background")
                   for fig, _ in drawn.values() for t in _texts(fig))
    assert checked > 200 and on_cells > 0


def test_categories_never_differ_by_colour_alone(drawn):
    shown = ["improved", "no reliable change", "deteriorated", "reliable increase",
             "reliable decrease", "not computed"]
    markers = [CATEGORY_STYLE[c]["marker"] for c in shown]
    assert len(set(markers)) == len(markers)
    assert {CATEGORY_STYLE[c]["marker"] for c in ("improved", "deteriorated")}.isdisjoint(
        {"^", "v"})  # an improvement may be a fall: its marker must not point
    for name, (fig, _) in drawn.items():
        if not (name.startswith("change_") or name == "reliable_change"):
            continue
        marker_of: dict[str, set] = {}
        for collection in fig.findobj(PathCollection):
            if len(collection.get_offsets()) == 0 or len(collection.get_facecolors()) == 0:
                continue
            colours = {to_hex(c) for c in collection.get_facecolors()}
            assert len(colours) == 1, name  # one category (colour) per marker set
            path = tuple(map(tuple, collection.get_paths()[0].vertices.round(3)))
            marker_of.setdefault(colours.pop(), set()).add(path)
        paths = [p for ps in marker_of.values() for p in ps]
        assert len(paths) == len(set(paths)), name  # no two colours share a marker
    attendance = drawn["attendance"][0]
    assert any(p.get_hatch() for p in attendance.axes[0].patches)  # absent cells hatched
    joint = drawn["joint_display_cases"][0]
    cells = [c for c in joint.axes[1].collections if len(c.get_offsets())]
    assert cells  # a category marker in every coloured cell


def test_tied_scores_are_counted_and_swarmed(drawn):
    assert tie_counts([2.0, 2.0, 3.5, 2.0, 2.3333333333, 2.33333333331]) == {2.0: 3, 2.333333333: 2}
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 3))
    ax.set_xlim(-1, 1)
    ax.set_ylim(-3, 3)
    values = np.array([1.0, 1.0, 1.0, 2.0, -1.0])
    offsets = swarm_offsets(values, ax, fig, diameter_pt=5)
    assert len(set(offsets[:3].round(6))) == 3 and offsets[3] == 0 and offsets[4] == 0
    plt.close(fig)
    assert tie_dodge([2.0, 3.0, 2.0, 2.0]).round(3).tolist() == [0.0, 0.0, 0.045, 0.09]
    site = synthetic_site()
    for outcome in OUTCOME_META:
        pairs = site["reliable_change"].query("outcome == @outcome")
        fig, _ = drawn[f"change_{outcome}"]
        points = set()
        for line in fig.axes[0].get_lines():
            if line.get_gid() == "slope-points":
                points |= {(round(x, 6), round(y, 9)) for x, y in line.get_xydata()}
        assert len(points) == 2 * len(pairs), outcome  # every parent's two points are distinct
    assert any(len(tie_counts(site["reliable_change"].query("outcome == @o")[t])) for o in
               OUTCOME_META for t in ("pre", "post"))  # the fixture has ties to show


def test_one_label_style_for_scale_names(drawn):
    assert outcome_label({"instrument": "prfq", "label": "PRFQ Pre-Mentalizing"}) == (
        "PRFQ pre-mentalizing")
    texts = " ".join(t.get_text().replace("\n", " ") for fig, _ in drawn.values()
                     for t in _texts(fig))
    for meta in OUTCOME_META.values():
        assert outcome_label(meta) in texts
    assert "Pre-Mentalizing" not in texts


def test_outcome_meta_labels_are_the_display_labels():
    import yaml
    from conftest import REPO

    from parentgroup.config import outcome_meta, site_study, validate_config

    config = validate_config(yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8")))
    meta = outcome_meta(site_study(config, "demo"))
    assert {o: m["label"] for o, m in meta.items()} == {
        o: outcome_label(m) for o, m in meta.items()}
    assert meta["prfq_pm"]["label"] == "PRFQ pre-mentalizing"
    assert meta["psoc_satisfaction"]["label"] == "PSOC satisfaction"


@pytest.mark.parametrize("direction", ["lower_better", "higher_better", "mid_optimal"])
def test_every_reliable_change_category_is_in_the_figures(direction):
    import matplotlib.pyplot as plt

    from parentgroup.analysis.reliable_change import classify_reliable_change
    from parentgroup.disclosure import small_count
    from parentgroup.figures.outcomes import change_figure, reliable_change_figure
    from parentgroup.figures.style import figure_style

    rcis = [-3.0, -2.5, -2.2, 0.1, 0.3, 2.4]
    pre = np.array([4.0, 4.5, 4.2, 3.0, 3.5, 2.0])
    rows = pd.DataFrame({"pseudonym": [f"P{i + 1:02d}" for i in range(6)], "outcome": "x",
                         "pre": pre, "post": pre + np.array(rcis) * 0.4,
                         "change": np.array(rcis) * 0.4, "rci": rcis, "reliability": 0.8,
                         "sd_pre": 1.0,
                         "category": [classify_reliable_change(r, direction) for r in rcis]})
    meta = {"x": {"label": "X scale", "instrument": "prfq", "scoring": "mean",
                  "direction": direction, "range_min": 1, "range_max": 7}}
    expected = set(rows["category"])
    with figure_style():
        fig, record = change_figure(outcome="x", meta=meta["x"], reliable_change=rows,
                                    paired_tests=pd.DataFrame(), design="retrospective")
        legend = " ".join(t.get_text() for t in fig.axes[0].get_legend().get_texts())
        for category in expected:
            # every category is named, its count under the one disclosure rule ("<3")
            k = small_count(int((rows["category"] == category).sum()))
            assert f"{category} (n = {k})" in legend
            assert f"{k} {category}" in record.alt_text
        plt.close(fig)
        fig, record = reliable_change_figure(outcome_meta=meta, reliable_change=rows,
                                             design="retrospective")
        legend = [t.get_text() for t in fig.legends[0].get_texts()]
        assert expected <= set(legend)
        plt.close(fig)


def test_pooled_forest_has_no_title_a_synthetic_mark_and_aa_contrast(tmp_path, monkeypatch):
    from test_figures import _pooled_inputs

    import parentgroup.figures.pooled as pooled

    found = []
    original = pooled.save_figure

    def capture(fig, *args, **kwargs):
        fig.canvas.draw()
        found.append(fig)
        return original(fig, *args, **kwargs)

    monkeypatch.setattr(pooled, "save_figure", capture)
    sites, meta = _pooled_inputs()
    table = pooled.draw_pooled_figures(sites, meta, tmp_path, outcome_meta=OUTCOME_META, dpi=50,
                                       formats=("png",), synthetic=True)
    (fig,) = found
    texts = _texts(fig)
    assert table["title"].iloc[0] not in [t.get_text() for t in texts]
    assert SYNTHETIC_MARK in [t.get_text() for t in texts]
    for text in texts:
        assert contrast_ratio(text.get_color(), _background(text, fig)) >= WCAG_AA_TEXT, (
            text.get_text(), text.get_color())
