"""The one house style for every figure: palette, sizes, fonts, labels and byte-stable saving.

Every figure module draws inside :func:`figure_style` and saves through :func:`save_figure`, so
that all figures share a colour-blind-safe palette (Okabe & Ito 2008), are legible at journal
column width (single column 3.5 in, double column 7.2 in, no text under 7 pt) and are
byte-identical across runs (fixed SVG hash salt, no dates in SVG/PDF metadata, no software
string in PNG metadata; Agg backend).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import sys
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import matplotlib

if "matplotlib.pyplot" not in sys.modules:  # a script or rule: draw off-screen with Agg; a
    matplotlib.use("Agg")  # notebook that already chose its (Agg-based) backend keeps it

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.transforms import blended_transform_factory  # noqa: E402

from parentgroup.formatting import p_statement as fmt_p  # noqa: E402, F401 - the one formatter
from parentgroup.labels import outcome_label  # noqa: E402, F401 - the one label style
from parentgroup.outputs import (  # noqa: E402, F401 - MANY_PARENTS: the house threshold
    FIGURE_FORMATS,
    MANY_PARENTS,
    figure_formats,
)
from parentgroup.problems import InputError, InputProblem  # noqa: E402

log = logging.getLogger(__name__)
# fontTools logs every table it prunes while subsetting PDF fonts; keep rule logs readable.
logging.getLogger("fontTools").setLevel(logging.WARNING)

#: Okabe & Ito (2008) colour-universal-design palette.
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
GREY = "#8C8C8C"
LIGHT_GREY = "#E6E6E6"

#: Reliable-change categories: colour, marker and legend order. Colour is doubled by marker
#: shape so the categories survive greyscale printing.
#: "improved" and "deteriorated" say nothing about the sign of the change (a fall in
#: pre-mentalizing is an improvement), so their markers carry no direction (plus, cross); only
#: the mid-range-optimal categories, which are about the sign, point up or down. ``hatch`` is the
#: second cue where a category fills an area (the cells of the case-level joint display).
CATEGORY_STYLE: dict[str, dict[str, str]] = {
    "improved": {"color": OKABE_ITO["bluish_green"], "marker": "P", "hatch": ""},
    "no reliable change": {"color": GREY, "marker": "o", "hatch": ""},
    "deteriorated": {"color": OKABE_ITO["vermillion"], "marker": "X", "hatch": "xxx"},
    "reliable increase": {"color": OKABE_ITO["blue"], "marker": "^", "hatch": "///"},
    "reliable decrease": {"color": OKABE_ITO["orange"], "marker": "v", "hatch": "\\\\\\"},
    "not computed": {"color": OKABE_ITO["black"], "marker": "d", "hatch": "..."},
    "not classified": {"color": OKABE_ITO["black"], "marker": "d", "hatch": "..."},
}
CATEGORY_ORDER = list(CATEGORY_STYLE)

#: Text that is grey rather than black (missing values, secondary notes): 7.0:1 on white.
TEXT_GREY = "#595959"
#: Text naming a mid-range-optimal scale: Okabe-Ito reddish purple darkened to pass WCAG AA.
MID_OPTIMAL_TEXT = "#9E4A7E"
#: WCAG 2.1 AA minimum contrast for normal text (success criterion 1.4.3).
WCAG_AA_TEXT = 4.5
#: Written in a corner of every figure of a synthetic site.
SYNTHETIC_MARK = "Synthetic data"

ATTENDED_COLOUR = OKABE_ITO["blue"]
ABSENT_COLOUR = LIGHT_GREY
THEME_PRESENT_COLOUR = OKABE_ITO["reddish_purple"]
MEAN_COLOUR = OKABE_ITO["black"]

#: Journal column widths in inches.
SINGLE_COLUMN = 3.5
DOUBLE_COLUMN = 7.2
BASE_FONT_PT = 8.0
SMALL_FONT_PT = 7.0  # the smallest text any figure uses

DEFAULT_DPI = 300
CREATOR = "parentgroup figures"

RC_PARAMS: dict[str, object] = {
    "svg.hashsalt": "parentgroup-figures",
    "svg.fonttype": "none",  # text stays text: searchable, accessible, editable
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": BASE_FONT_PT,
    "axes.titlesize": BASE_FONT_PT + 1,
    "axes.titleweight": "bold",
    "axes.labelsize": BASE_FONT_PT,
    "xtick.labelsize": SMALL_FONT_PT + 0.5,
    "ytick.labelsize": SMALL_FONT_PT + 0.5,
    "legend.fontsize": SMALL_FONT_PT + 0.5,
    "legend.title_fontsize": BASE_FONT_PT,
    "figure.titlesize": BASE_FONT_PT + 2,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.8,
    "lines.linewidth": 1.0,
    "lines.solid_capstyle": "round",
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "axes.unicode_minus": True,
    "figure.dpi": 100,
    "savefig.dpi": DEFAULT_DPI,
    "savefig.bbox": None,
    "path.simplify": False,
    "image.interpolation": "nearest",
}

PSEUDONYM_PATTERN = re.compile(r"^P\d{2,}$")  # P01 ... P5000 (width grows with the site)
MINUS = "\u2212"


@dataclass(frozen=True)
class FigureRecord:
    """One row of ``figures.csv``: what travels with an image."""

    name: str
    title: str
    caption: str
    alt_text: str


#: OpenType tables a PDF never uses: viewers draw glyphs by id through matplotlib's own layout and
#: ToUnicode map, so substitution, positioning and kerning tables only cost subsetting time.
PDF_UNUSED_FONT_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern"]


class _LeanSubsetOptions:
    """Stands in for ``fontTools.subset`` inside matplotlib's PDF font subsetter: the same module,
    except that ``Options`` also drops :data:`PDF_UNUSED_FONT_TABLES` and the layout closure.

    Embedding DejaVu Sans as TrueType (``pdf.fonttype`` 42, editable text that journals accept)
    decompiles its large GSUB/GPOS tables for every font of every PDF: 40-60 % of the figures
    rule's time. The embedded fonts keep every glyph drawn, so the PDF looks the same and its
    text stays selectable and searchable (tests/test_figures.py checks both)."""

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)

    def Options(self, **kwargs):  # noqa: N802 - the name fontTools uses
        options = self._module.Options(**kwargs)
        options.drop_tables += PDF_UNUSED_FONT_TABLES
        options.layout_closure = False
        return options


#: The characters most figure text is made of (printable ASCII, Latin-1, typographic dashes and
#: quotes, arrows, the minus and comparison signs): the glyphs of each font that are subset once
#: per process (see :class:`_SubsetCache`).
COMMON_CHARACTERS = "".join(
    chr(code) for code in [*range(0x20, 0x7F), *range(0xA0, 0x100), *range(0x2010, 0x2027),
                           *range(0x2190, 0x2196), 0x2212, 0x2264, 0x2265, 0x2248]
)


class _FontBytes(io.BytesIO):
    """A font file in memory, shaped like matplotlib's ``FontPath`` (it has a face index)."""

    face_index = 0


class _SubsetCache:
    """PDF font subsetting in two steps, the slow one done once per font and process.

    Each PDF embeds a subset of each font it uses, and subsetting starts by reading the whole
    font file (DejaVu Sans: 6000 glyphs, 50-100 ms), about forty times per site (up to four
    fonts in each of eleven PDFs). Here each font is first subset to the glyphs of
    :data:`COMMON_CHARACTERS`, once, and every request within those glyphs is then subset from
    that small font (a few milliseconds). The embedded font holds exactly the glyphs requested,
    with the same outlines and widths as a direct subset (tests/test_figures.py compares them);
    a request with other glyphs is subset from the font file as before."""

    def __init__(self, get_glyphs_subset):
        self._subset = get_glyphs_subset
        self._common: dict[tuple, tuple[bytes, dict]] = {}

    def _common_subset(self, fontfile) -> tuple[bytes, dict]:
        """The font cut down to the common glyphs, as bytes, and original -> new glyph ids."""
        key = (str(fontfile), getattr(fontfile, "face_index", 0))
        if key not in self._common:
            from matplotlib.font_manager import get_font

            charmap = get_font(fontfile).get_charmap()
            glyphs = {charmap[ord(char)] for char in COMMON_CHARACTERS if ord(char) in charmap}
            with self._subset(fontfile, glyphs) as result:
                data = io.BytesIO()
                result.font.save(data, reorderTables=False)
                self._common[key] = (data.getvalue(), dict(result.glyph_index_map))
        return self._common[key]

    @contextlib.contextmanager
    def get_glyphs_subset(self, fontfile, glyphs):
        glyphs = list(glyphs)
        data, to_common = self._common_subset(fontfile)
        if not all(glyph in to_common for glyph in glyphs):
            with self._subset(fontfile, glyphs) as result:
                yield result
            return
        with self._subset(_FontBytes(data), {to_common[g] for g in glyphs}) as result:
            yield SimpleNamespace(
                font=result.font,
                glyph_index_map={g: result.glyph_index_map[to_common[g]] for g in glyphs},
            )


_SUBSET_CACHES: dict = {}  # matplotlib's subsetter -> its cache, for this process


def _parameters(function) -> list[str]:
    import inspect

    return list(inspect.signature(function).parameters)


@contextlib.contextmanager
def lean_pdf_fonts(cache: bool = True) -> Iterator[None]:
    """Within the block, PDF fonts are subset without layout tables (see
    :class:`_LeanSubsetOptions`) and, with ``cache``, from a once-per-process subset of each font
    (see :class:`_SubsetCache`); if matplotlib's subsetting helpers moved, nothing is changed."""
    try:
        from matplotlib.backends import _backend_pdf_ps as pdf_ps
    except ImportError:  # pragma: no cover - a matplotlib without the private helper
        yield
        return
    original = getattr(pdf_ps, "subset", None)
    get_subset = getattr(pdf_ps, "get_glyphs_subset", None) if cache else None
    if get_subset is not None and _parameters(get_subset) != ["fontfile", "glyphs"]:
        get_subset = None  # pragma: no cover - a matplotlib whose subsetter takes other arguments
    if original is None or not hasattr(original, "Options"):  # pragma: no cover
        yield
        return
    pdf_ps.subset = _LeanSubsetOptions(original)
    if get_subset is not None:
        pdf_ps.get_glyphs_subset = _SUBSET_CACHES.setdefault(
            get_subset, _SubsetCache(get_subset)).get_glyphs_subset
    try:
        yield
    finally:
        pdf_ps.subset = original
        if get_subset is not None:
            pdf_ps.get_glyphs_subset = get_subset


@contextlib.contextmanager
def figure_style() -> Iterator[None]:
    """The house rcParams for drawing and saving (restored afterwards)."""
    with plt.rc_context(RC_PARAMS):
        yield


def save_figure(fig: Figure, out_dir: Path, name: str, dpi: int = DEFAULT_DPI,
                formats=FIGURE_FORMATS) -> list[Path]:
    """Write ``name``.png (and .svg, .pdf, as ``formats`` says) byte-stably and close the
    figure; return the paths.

    PNG: ``dpi`` (300 for publication), no ``Software`` chunk. SVG: fixed hash salt (from
    :data:`RC_PARAMS`), no ``Date``. PDF: no ``CreationDate``, fixed ``Creator``/``Producer``.
    Each format draws the figure again, so leaving out SVG and PDF saves about two fifths of a
    site's figure time (benchmarks/README.md). A file of this figure in a format left out (from
    an earlier run) is removed, so that no figure beside the new ones shows older data.
    """
    formats = figure_formats(formats)
    out_dir = Path(out_dir)
    for ext in FIGURE_FORMATS:
        stale = out_dir / f"{name}.{ext}"
        if ext not in formats and stale.is_file():
            stale.unlink()
            log.info("figure %s: removed the %s file of an earlier run (not in figures.formats)",
                     name, ext)
    out_dir.mkdir(parents=True, exist_ok=True)
    metadata = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": CREATOR},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": CREATOR, "Producer": CREATOR},
    }
    paths = []
    with figure_style(), lean_pdf_fonts():
        for ext in formats:
            path = out_dir / f"{name}.{ext}"
            fig.savefig(path, format=ext, dpi=dpi, metadata=metadata[ext])
            paths.append(path)
    plt.close(fig)
    log.info("figure %s written (%s)", name, ", ".join(formats))
    return paths


def check_pseudonyms(values, file: str) -> list[str]:
    """Participant labels, refusing anything that is not a pseudonym (P01, P002, ...).

    A figure label is a shared output: a name or record id in the pseudonym column would leak,
    so it stops the run with an :class:`InputError` naming the file and row (value hidden).
    """
    labels = [str(v) for v in values]
    problems = [
        InputProblem(file, row + 2, "pseudonym", value, "a pseudonym like P01", sensitive=True)
        for row, value in enumerate(labels)
        if not PSEUDONYM_PATTERN.match(value)
    ]
    if problems:
        raise InputError(problems, context="figure inputs")
    return labels


def figure_x_data_y(fig: Figure, ax: Axes):
    """Transform with x in figure fraction and y in data units (for text columns beside a
    forest plot that never collide with the axes)."""
    return blended_transform_factory(fig.transFigure, ax.transData)


def message_panel(ax: Axes, message: str, width: int = 40) -> None:
    """Replace an axes' content with a clear boxed message (for a site without that data)."""
    ax.clear()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        wrap(message, width),
        ha="center",
        va="center",
        fontsize=BASE_FONT_PT + 1,
        color=OKABE_ITO["black"],
        transform=ax.transAxes,
        bbox={"boxstyle": "round,pad=0.8", "facecolor": LIGHT_GREY, "edgecolor": GREY},
    )


def _rgb(colour) -> tuple[float, float, float]:
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def relative_luminance(colour) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (any matplotlib colour spec):
    ``L = 0.2126 R + 0.7152 G + 0.0722 B`` of the linearised channels, ``c / 12.92`` up to
    0.04045 and ``((c + 0.055) / 1.055) ** 2.4`` above (W3C, WCAG 2.1, "relative luminance";
    the threshold as in IEC 61966-2-1).

    >>> relative_luminance("white"), relative_luminance("black")
    (1.0, 0.0)
    """
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground, background) -> float:
    """WCAG 2.1 contrast ratio ``(L1 + 0.05) / (L2 + 0.05)``, L1 the lighter luminance; 1 to 21.
    AA asks 4.5:1 for normal text (:data:`WCAG_AA_TEXT`). WebAIM's checker gives 4.54 for
    #767676 on white and 21 for black on white.

    >>> round(contrast_ratio("#767676", "white"), 2), contrast_ratio("black", "white")
    (4.54, 21.0)
    """
    a, b = relative_luminance(foreground), relative_luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def text_colour_on(background) -> str:
    """Black or white, whichever contrasts more with ``background`` (for text on a cell).

    >>> text_colour_on(OKABE_ITO["orange"]), text_colour_on(OKABE_ITO["blue"])
    ('black', 'white')
    """
    return ("black" if contrast_ratio("black", background) >= contrast_ratio("white", background)
            else "white")


def mark_synthetic(fig: Figure) -> None:
    """Write :data:`SYNTHETIC_MARK` small in the top right corner of ``fig`` (figures of a
    synthetic site must say so wherever they travel without their caption)."""
    fig.text(0.995, 0.995, SYNTHETIC_MARK, ha="right", va="top", fontsize=SMALL_FONT_PT,
             color=TEXT_GREY, style="italic", gid="synthetic-mark")


def message_figure(message: str, title: str, width: float = DOUBLE_COLUMN) -> Figure:
    """A whole figure that only says why there is nothing to draw."""
    fig, ax = plt.subplots(figsize=(width, 2.2))
    message_panel(ax, message)
    return fig


def wrap(text: str, width: int) -> str:
    """Wrap a label onto several lines at ``width`` characters."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


def fmt(value: float, digits: int = 2) -> str:
    """A number for figure text, with a typographic minus sign ('nan' shown as 'n/a')."""
    if value is None or value != value:
        return "n/a"
    return f"{value:.{digits}f}".replace("-", MINUS)


def fmt_plain(value: float, digits: int = 2) -> str:
    """A number for captions and alt text (ASCII hyphen-minus, 'not available' for NaN)."""
    if value is None or value != value:
        return "not available"
    text = f"{value:.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


SCORING_WORDS = {"mean": "item mean", "sum": "sum"}


def _range_text(meta: Mapping) -> str:
    low, high = meta.get("range_min"), meta.get("range_max")
    if low is None or high is None or low != low or high != high:
        return ""
    return f"{low:g}-{high:g}"


def axis_label(meta: Mapping, wrap_at: int | None = None) -> str:
    """'PRFQ pre-mentalizing (item mean, 1-7)': instrument, scale label, scoring and range."""
    label = outcome_label(meta)
    scoring = SCORING_WORDS.get(str(meta.get("scoring", "")), str(meta.get("scoring", "")))
    extra = ", ".join(part for part in (scoring, _range_text(meta)) if part)
    text = f"{label} ({extra})" if extra else label
    return wrap(text, wrap_at) if wrap_at else text


def direction_text(direction: str) -> str:
    """How to read the scale: which way is improvement."""
    return {
        "lower_better": "lower = better",
        "higher_better": "higher = better",
        "mid_optimal": "mid-range optimal",
    }.get(direction, "direction not stated")


def improvement_marker(direction: str) -> str:
    """The forest-plot marker of the direction of improvement along the x axis."""
    return {
        "lower_better": "\u2190 improvement",
        "higher_better": "improvement \u2192",
        "mid_optimal": "mid-range optimal",
    }.get(direction, "")


def time_labels(design: str) -> tuple[str, str]:
    """Axis labels of the two analysis times of a design (pre role, post role)."""
    if design == "prospective":
        return "Pre", "Post"
    if design == "three_timepoint":
        return "Then (retrospective pre)", "Post"
    return "Then (retrospective pre)", "Now (post)"


def time_words(design: str) -> tuple[str, str]:
    """The same in running text."""
    if design == "prospective":
        return "pre", "post"
    if design == "three_timepoint":
        return "then (retrospective pre)", "post"
    return "then (retrospective pre)", "now (post)"
