"""The report in the formats people use besides the web page: a PDF of the HTML report (print
stylesheet, page numbers, the synthetic-data notice on every page) and the manuscript tables as
a Word document in APA style.

The PDF is drawn by WeasyPrint (PyPI), which needs the Pango text-layout library from the
operating system (Debian/Ubuntu ``libpango-1.0-0 libpangoft2-1.0-0``, macOS ``brew install
pango``, conda ``pango``). Where Pango is missing, :func:`parentgroup.outputs.pdf_support` says
so and the workflow leaves the PDF out of its default targets with that message instead of
failing the run.

Both files are byte-deterministic: the PDF carries no dates and a fixed identifier; the .docx
zip members get a fixed timestamp and fixed core properties.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from parentgroup import formatting
from parentgroup.outputs import PANGO_HINT, pdf_support
from parentgroup.problems import UserFacingError

log = logging.getLogger(__name__)

#: A fixed date for the .docx zip members and core properties (the DOS epoch zip allows).
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
#: The same moment in seconds since 1970 (UTC), the time stamped into the PDFs' embedded fonts.
FIXED_EPOCH = 315532800


@contextmanager
def fixed_build_time() -> Iterator[None]:
    """Within the block, tools that stamp the current time into a file use ``FIXED_EPOCH``.

    WeasyPrint subsets each font it embeds with fontTools (where HarfBuzz's subsetter is not
    installed), and fontTools writes the time of writing into the subset font's ``head`` table
    unless ``SOURCE_DATE_EPOCH`` is set (the reproducible-builds convention,
    https://reproducible-builds.org/specs/source-date-epoch/): without this a PDF drawn a second
    later differed in its font bytes. A ``SOURCE_DATE_EPOCH`` the user has set is kept.

    >>> with fixed_build_time():
    ...     "SOURCE_DATE_EPOCH" in os.environ
    True
    """
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(FIXED_EPOCH)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


class ReportFormatError(UserFacingError, RuntimeError):
    """A report format could not be written; the message says what is missing."""


def write_pdf(html_path: Path, pdf_path: Path) -> None:
    """Draw ``html_path`` (the self-contained report) as an A4 PDF with its print stylesheet.

    Nothing is fetched: the page holds its figures as data URIs, and a URL fetcher that refuses
    every other address guarantees it. Raises :class:`ReportFormatError` without Pango."""
    ok, why = pdf_support()
    if not ok:
        raise ReportFormatError(why)
    try:
        import weasyprint
    except OSError as error:  # the shared library was found but could not be loaded
        raise ReportFormatError(f"WeasyPrint could not load Pango ({error}); {PANGO_HINT}") \
            from error

    def refuse(url: str, *args: Any, **kwargs: Any) -> dict:
        if url.startswith("data:"):
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise ValueError("the report may not load anything from outside the file")

    html_path, pdf_path = Path(html_path), Path(pdf_path)
    document = weasyprint.HTML(filename=str(html_path), url_fetcher=refuse,
                               base_url=str(html_path.parent))
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    # a file identifier (/ID) from nothing variable: a fixed first half, the second the hash of
    # the content (WeasyPrint writes no /ID without one; `identifier=` was not an option and
    # only logged "Unknown rendering option")
    with fixed_build_time():
        data = document.write_pdf(pdf_identifier=b"parentgroup-report",
                                  uncompressed_pdf=False)
    pdf_path.write_bytes(data)
    log.info("PDF report written: %s (%d bytes)", pdf_path, len(data))


# --------------------------------------------------------------------------- Word tables


def _apa_table(document, number: int, title: str, header: Sequence[str],
               rows: Sequence[Sequence[str]], note: str = "") -> None:
    """An APA table: bold number, italic title, horizontal rules only (above and below the
    header and at the bottom), then an optional note starting with italic "Note."."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    label = document.add_paragraph()
    label.add_run(f"Table {number}").bold = True
    label.paragraph_format.keep_with_next = True
    caption = document.add_paragraph()
    caption.add_run(title).italic = True
    caption.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    def rule(cell, edges: Mapping[str, str]) -> None:
        props = cell._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        for edge, size in edges.items():
            element = OxmlElement(f"w:{edge}")
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), size)
            element.set(qn("w:space"), "0")
            element.set(qn("w:color"), "000000")
            borders.append(element)
        props.append(borders)

    for row_index, values in enumerate([list(header), *[list(r) for r in rows]]):
        for col_index, value in enumerate(values):
            cell = table.cell(row_index, col_index)
            cell.text = ""
            paragraph = cell.paragraphs[0]
            _add_symbol_runs(paragraph, str(value), header=row_index == 0)
            for run in paragraph.runs:
                run.font.size = Pt(10)
            edges = {}
            if row_index == 0:
                edges = {"top": "8", "bottom": "4"}
            if row_index == len(rows):
                edges["bottom"] = "8"
            if edges:
                rule(cell, edges)
    if note:
        paragraph = document.add_paragraph()
        paragraph.add_run("Note.").italic = True
        _add_symbol_runs(paragraph, " " + note, header=False)
    document.add_paragraph()


#: Header symbols set in italics (APA), written in the header strings between asterisks.
def _add_symbol_runs(paragraph, text: str, header: bool) -> None:
    """Add ``text`` to ``paragraph``; parts between ``*`` are italic and ``_x`` after an italic
    part is a subscript (``*d*_z`` -> italic d, subscript z)."""
    parts = text.split("*")
    for index, part in enumerate(parts):
        if not part:
            continue
        if index % 2 == 1:
            paragraph.add_run(part).italic = True
        elif re.match(r"_\w", part):
            # the subscript is the word after "_"; what follows (a space, a no-break space
            # before "=", a bracket) is ordinary text
            sub, rest = re.match(r"_(\w+)(.*)", part, flags=re.S).groups()
            paragraph.add_run(sub).font.subscript = True
            if rest:
                paragraph.add_run(rest)
        else:
            paragraph.add_run(part)


def _es_header(name: str) -> str:
    """An effect size's name in the header mark-up: ``d_z`` -> ``*d*_z``."""
    return f"*{name.split('_')[0]}*_{name.split('_', 1)[1]}" if "_" in name else name


def manuscript_tables(*, paired: pd.DataFrame, reliability: pd.DataFrame,
                      joint: pd.DataFrame, confidence_level: float = 0.95,
                      synthetic: bool = False) -> list[tuple[str, list[str], list[list[str]], str]]:
    """The manuscript tables as (title, header, rows, note): descriptives and paired tests,
    reliability, and the statistics-by-themes joint display (plain text; ``*x*`` italic).

    As in the report: the lead effect size and d_z or d_av beside it, each defined in the note;
    the two p columns named by their test; statistics that cannot exceed 1 without a leading
    zero; every cell typeset (minus sign, no-break spaces: :func:`parentgroup.formatting.typeset`).
    """
    level = f"{round(confidence_level * 100):d}%"
    f, ci, p = formatting.format_number, formatting.format_ci, formatting.format_p
    tables = []
    if not paired.empty:
        method = str(paired["p_adjust_method"].iloc[0]) if "p_adjust_method" in paired else ""
        method_name = formatting.P_ADJUST_NAMES.get(method, method) or "unadjusted"
        es = str(paired["lead_effect_size"].iloc[0])
        others = [e for e in ("d_z", "d_av") if e != es and e in paired.columns]
        rows = []
        for r in paired.to_dict("records"):
            effects = [f"{f(r['lead_es'])} {ci(r['lead_es_ci_low'], r['lead_es_ci_high'])}"]
            for e in others:
                low, high = r.get(f"{e}_ci_low"), r.get(f"{e}_ci_high")
                interval = "" if formatting.is_missing(low) and formatting.is_missing(high) \
                    else f" {ci(low, high)}"
                effects.append(f"{f(r.get(e))}{interval}")
            rows.append([
                str(r["label"]), f(r["n_pairs"], 0),
                f"{f(r['mean_pre'])} ({f(r['sd_pre'])})",
                f"{f(r['mean_post'])} ({f(r['sd_post'])})",
                f"{f(r['t'])}({f(r['df'], 0)})", p(r["p"]), p(r.get("p_adjusted")),
                *effects,
                f"{f(r['wilcoxon_w'], 1)}", p(r["wilcoxon_p"]),
                f(r.get("rank_biserial"), bounded=True),
            ])
        definitions = {
            "d_z": "the mean change divided by the standard deviation of the changes",
            "d_av": "the mean change divided by the average of the pre and post standard "
                    "deviations",
        }
        defined = "; ".join(f"{_es_header(e)} = {definitions[e]}"
                            for e in [es, *others] if e in definitions)
        note = (f"Pre = retrospective (then) rating; post = rating now. {defined} "
                "(Lakens, 2013); *d*_z is not comparable with a between-subjects *d*. *p* "
                f"values adjusted with the {method_name} method across the outcomes. *W* = "
                "Wilcoxon signed-rank statistic; *r*_rb = matched-pairs rank-biserial "
                "correlation.")
        tables.append(("Descriptive statistics and paired comparisons", [
            "Outcome", "*n*", "Pre *M* (*SD*)", "Post *M* (*SD*)", "*t*(*df*)", "*p* (*t* test)",
            f"*p* ({method_name})", *[f"{_es_header(e)} [{level} CI]" for e in [es, *others]],
            "Wilcoxon *W*", "*p* (Wilcoxon)", "*r*_rb"], rows, note))
    if not reliability.empty:
        labels = {}
        if not paired.empty:
            labels = {(r["instrument"], r["scale"]): r["label"] for r in paired.to_dict("records")}
        rows = [[labels.get((r["instrument"], r["scale"]),
                            f"{str(r['instrument']).upper()} {str(r['scale']).replace('_', ' ')}"),
                 str(r["time"]), f(r["n"], 0), f(r["k_items"], 0),
                 f"{f(r['alpha'], bounded=True)} "
                 f"{ci(r['alpha_ci_low'], r['alpha_ci_high'], bounded=True)}",
                 f(r["omega"], bounded=True)]
                for r in reliability.to_dict("records")]
        low = [r for r in reliability.to_dict("records")
               if not formatting.is_missing(r["alpha"]) and float(r["alpha"]) < 0.60]
        note = "α = Cronbach's alpha with its 95% CI; ω = McDonald's omega."
        if low:
            note += " Values of α below .60 indicate low internal consistency."
        tables.append(("Internal consistency of the scales", [
            "Scale", "Time", "*n*", "Items", "α [95% CI]", "ω"], rows, note))
    if not joint.empty:
        rows = []
        for r in joint.to_dict("records"):
            result = (f"{f(r['mean_pre'])} to {f(r['mean_post'])}; {f(r['lead_es'])} "
                      f"{ci(r['lead_es_ci_low'], r['lead_es_ci_high'])}; "
                      f"{formatting.p_statement(r['p'])}")
            if formatting.statistically_significant(r) is False:
                result += "; not statistically significant"
            rows.append([str(r["label"]), result, str(r.get("themes", "") or "–"),
                         str(r.get("fit", "") or "–"), str(r.get("note", "") or "")])
        tables.append(("Joint display: quantitative results beside the linked themes", [
            "Outcome", "Result (mean then to now; effect size [CI]; *p*)", "Linked themes",
            "Fit", "Meta-inference"], rows,
            "Fit after Fetters, Curry and Creswell (2013); illustrative quotes are in the HTML "
            "report."))
    if synthetic:
        tables = [(t, h, r, (n + " " if n else "") + "Synthetic demo data: fictional people.")
                  for t, h, r, n in tables]
    return [(t, h, [[formatting.typeset(c) for c in row] for row in r], formatting.typeset(n))
            for t, h, r, n in tables]


def write_manuscript_docx(out_docx: Path, *, title: str, paired: pd.DataFrame,
                          reliability: pd.DataFrame, joint: pd.DataFrame,
                          confidence_level: float = 0.95, synthetic: bool = False) -> None:
    """The manuscript tables as a Word document in APA style (Times New Roman 12 pt, table
    number in bold, title in italics, horizontal rules only), byte-deterministic."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    fixed = dt.datetime(*FIXED_TIME)
    props = document.core_properties
    props.author, props.last_modified_by, props.title = "parentgroup", "parentgroup", title
    props.created, props.modified, props.revision = fixed, fixed, 1
    props.comments = ""
    heading = document.add_paragraph()
    heading.add_run(f"{title}: manuscript tables").bold = True
    if synthetic:
        document.add_paragraph("SYNTHETIC DEMO DATA: fictional people; the numbers illustrate "
                               "the pipeline.")
    tables = manuscript_tables(paired=paired, reliability=reliability, joint=joint,
                               confidence_level=confidence_level, synthetic=synthetic)
    for number, (caption, header, rows, note) in enumerate(tables, start=1):
        _apa_table(document, number, caption, header, rows, note)
    buffer = io.BytesIO()
    document.save(buffer)
    Path(out_docx).parent.mkdir(parents=True, exist_ok=True)
    Path(out_docx).write_bytes(normalise_zip(buffer.getvalue()))
    log.info("manuscript tables written: %s (%d tables)", out_docx, len(tables))


def normalise_zip(data: bytes) -> bytes:
    """The same zip with every member dated :data:`FIXED_TIME` (zip stores the time a member was
    written, so two saves of the same document differ otherwise)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()
