"""Digits that are drawing geometry (PDF, SVG) are not identifiers; digits a reader sees still are.

A figure's content stream positions every marker with ``1 0 0 1 dx dy cm``: the leak check's
digit runs join groups across spaces, dots and minus signs, so ``1 0 0 1 -15.76 ... cm`` spelled
``100115``, a child's date of birth (10/01/2015) as ``ddmmyy``, and stopped a real site's run
(audit case e10, ``pdf-streams`` view). The numbers of PDF syntax - the operands of content-stream
operators, dictionary values such as ``/MediaBox`` and a link's ``/Rect``, object numbers, the
cross-reference table - are masked as SVG geometry is; the strings (the text shown by ``Tj``,
``TJ``, ``'`` and ``"``, metadata, destinations), XMP metadata and embedded files are scanned
with their digits, so a date of birth written in a figure or a PDF's text is still a hit.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from parentgroup.leak_check.needles import build_needles  # noqa: E402
from parentgroup.leak_check.scanning import scan_paths  # noqa: E402

#: P07's child was born on 10 January 2015: ``100115``, ``10012015``, ``1012015``, ``20150110``.
ROSTER = pd.DataFrame({"record_id": ["E-107"], "parent_name": ["Alice Turner"],
                       "child_name": ["Tommy Turner"], "child_dob": ["2015-01-10"]})
KEY = pd.DataFrame({"record_id": ["E-107"], "pseudonym": ["P07"]})
NEEDLES = build_needles(ROSTER, {}, ["parent_name", "child_name", "child_dob"], KEY)

#: The operators of the e10 figure's content stream (matplotlib), around the chance date.
DRAWING = (
    b"q 1 0 0 1 72 36 cm 0.8 w 0 J 0 j 1 0.5 0.05 rg 1 0 0 RG [3.7 1.6] 0 d\n"
    b"0 -3.5 m 0.928 -3.5 1.819 -3.131 2.475 -2.475 c h f\n"
    b"1 0 0 1 5.2546328071 -18.2964705882 cm /M1 Do\n"
    b"1 0 0 1 -15.7638984214 -3.6592941176 cm /M1 Do\n"
    b"10.0115 20.15 100.115 15.2 re W n 0 0 100 1.15 re S\n"
    b"BT /F1 10 Tf 1 0 0 -1 100.1 15.0 Tm 0 Tc 0 Tw 100 Tz 10 TL 0 Ts 0 Tr 1 0 Td 0 -1 TD\n"
    b"[<0036>10<0115>-20] TJ ET /P <</MCID 100115>> BDC EMC 0.1 0.0 1.15 k Q\n"
)


def _object(number: int, head: bytes, stream: bytes | None = None) -> bytes:
    if stream is None:
        return b"%d 0 obj\n<< %s >>\nendobj\n" % (number, head)
    return (b"%d 0 obj\n<< %s /Length %d >>\nstream\n" % (number, head, len(stream)) + stream
            + b"\nendstream\nendobj\n")


def _pdf(*objects: bytes) -> bytes:
    body = b"%PDF-1.7\n" + b"".join(objects)
    return (body + b"xref\n0 3\n0000000000 65535 f \n0000100115 00000 n \n0000000010 01150 n \n"
            b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n100115\n%%EOF\n")


def _hits(tmp_path: Path, name: str, data: bytes) -> set[tuple[str, str, str]]:
    (tmp_path / name).write_bytes(data)
    try:
        return {(h.participant, h.field, h.view)
                for h in scan_paths([tmp_path / name], NEEDLES, base=tmp_path)}
    finally:
        (tmp_path / name).unlink()


def test_the_date_of_birth_is_searched_in_the_forms_the_audit_found():
    assert ("P07", "child_dob", "100115", "digits") in {tuple(n) for n in NEEDLES}


@pytest.mark.parametrize("compressed", [True, False], ids=["deflated", "uncompressed"])
def test_drawing_operands_are_not_read_as_a_date_of_birth(tmp_path, compressed):
    content = zlib.compress(DRAWING) if compressed else DRAWING
    pdf = _pdf(
        _object(1, b"/Type /Catalog /Pages 2 0 R"),
        _object(11, b"/Type /Page /MediaBox [0 0 100.115 259.2] /CropBox [10 0.115 1 15]"
                    b" /Contents 9 0 R /Annots [10 0 R]"),
        _object(10, b"/Type /Annot /Subtype /Link /Rect [143.100115 388.01 15.2 1.00115]"
                    b" /Dest [11 0 R /XYZ 10.01 15.0 0]"),
        _object(15, b"/Type /FontDescriptor /FontBBox [-1016 -351 1001 15] /Ascent 1001"),
        _object(9, b"/Filter /FlateDecode" if compressed else b"", content),
    )
    assert _hits(tmp_path, "figure.pdf", pdf) == set()


def test_an_object_streams_dictionaries_are_geometry_too(tmp_path):
    """WeasyPrint packs pages and link annotations (their /Rect, /Dest /XYZ coordinates) in a
    compressed object stream."""
    objects = (b"11 0 12 96\n<</Type /Page/MediaBox [0 0 595.275591 841.889764]"
               b"/Annots [12 0 R]>>\n<</Type /Annot/Subtype /Link/Rect [59.100115 584.113017 "
               b"98.392417 10.01 15]/Dest [5 0 R /XYZ 10 0 115 0]>>\n")
    pdf = _pdf(_object(1, b"/Type /Catalog"),
               _object(20, b"/Type /ObjStm /N 2 /First 12 /Filter /FlateDecode",
                       zlib.compress(objects)))
    assert _hits(tmp_path, "report.pdf", pdf) == set()


@pytest.mark.parametrize("shown", [
    b"BT /F1 12 Tf 1 0 0 1 72 700 Tm (born 10/01/2015) Tj ET",
    b"BT /F1 12 Tf 72 700 Td [(10)-250(01)-250(2015)] TJ ET",  # the pieces joined: 10012015
    b"BT /F1 12 Tf 14 TL (DOB 10.01.15) ' ET",
    b'BT /F1 12 Tf 0 0 (born 10 1 2015) " ET',
    b"BT /F1 12 Tf 1 0 0 1 72 700 Tm <3130303131352e> Tj ET",  # hex: "100115."
    b"/Span <</ActualText (2015-01-10)>> BDC EMC",
])
def test_a_date_of_birth_shown_as_text_is_still_a_hit(tmp_path, shown):
    for compressed in (True, False):
        content = zlib.compress(shown) if compressed else shown
        pdf = _pdf(_object(1, b"/Type /Catalog"),
                   _object(9, b"/Filter /FlateDecode" if compressed else b"", content))
        hits = _hits(tmp_path, "figure.pdf", pdf)
        assert {(p, f) for p, f, _ in hits} == {("P07", "child_dob")}, (shown, compressed)


@pytest.mark.parametrize("head", [b"/Type /Metadata /Subtype /XML", b"/Type /EmbeddedFile"])
def test_metadata_and_embedded_files_keep_their_digits(tmp_path, head):
    """An XMP packet or an attached file is not PDF syntax: its numbers may be anything."""
    text = (b'<?xpacket begin=""?><x:xmpmeta><rdf:li>10 01 2015</rdf:li></x:xmpmeta>'
            if b"Metadata" in head else b"record,born\nE,10 01 2015 f\n")
    for content in (zlib.compress(text), text):
        compressed = content != text
        pdf = _pdf(_object(1, b"/Type /Catalog"),
                   _object(7, head + (b" /Filter /FlateDecode" if compressed else b""), content))
        assert {(p, f) for p, f, _ in _hits(tmp_path, "figure.pdf", pdf)} == {
            ("P07", "child_dob")}, (head, compressed)


def test_pdf_masking_keeps_strings_names_and_offsets():
    from parentgroup.leak_check.matching import _mask_pdf_numbers

    text = ("1 0 0 1 -15.76 3.65 cm /a1.0 gs /F1 12 Tf (10 01 2015) Tj "
            "[(1) -15 (9)] TJ <0031> Tj 0 0 (x) \" /P <</MCID 3>> BDC 1.5.3 q")
    masked = _mask_pdf_numbers(text)
    assert len(masked) == len(text)
    assert masked.startswith("# # # # -##.## #.## cm /a1.0 gs /F1 ## Tf (10 01 2015) Tj ")
    assert "[(1) -## (9)] TJ <0031> Tj # # (x) \"" in masked
    assert "/MCID #>>" in masked and "1.5.3 q" in masked  # not a number: kept


def _scatter(path: Path, *, title: str, fonttype: int) -> None:
    with matplotlib.rc_context({"pdf.fonttype": fonttype, "svg.fonttype": "none"}):
        figure, axis = plt.subplots(figsize=(7.2, 3.6))
        x = [1 + (i * 0.37) % 7.3 for i in range(150)]
        y = [(i * 7.919) % 41.3 for i in range(150)]
        axis.scatter(x, y, s=12)
        axis.plot(x[:40], y[:40], linewidth=0.7)
        axis.set_title(title)
        figure.savefig(path)
        plt.close(figure)


def test_a_figure_at_a_large_site_is_not_a_hit_unless_it_shows_a_date_of_birth(tmp_path):
    """Every day of seven years as a child's date of birth (2557 children: most six- to
    eight-digit groups of a figure's geometry then spell one): a figure's PNG, SVG and PDF are
    clean; with a date of birth in its title each format is a hit."""
    days = [dt.date(2010, 1, 1) + dt.timedelta(days=n) for n in range(2557)]
    roster = pd.DataFrame({"record_id": [f"R-{n:04d}" for n in range(len(days))],
                           "child_dob": [d.isoformat() for d in days]})
    needles = build_needles(roster, {}, ["child_dob"], None)
    for fonttype in (42, 3):
        for suffix in ("pdf", "svg", "png"):
            path = tmp_path / f"scatter.{suffix}"
            _scatter(path, title="Change in stress, P01-P40", fonttype=fonttype)
            hits = scan_paths([path], needles, base=tmp_path)
            assert hits == [], (fonttype, suffix, hits[:3])
            if suffix == "png":
                continue  # its text is pixels: the metadata view is checked elsewhere
            _scatter(path, title="Child born 10/01/2015", fonttype=fonttype)
            hits = scan_paths([path], needles, base=tmp_path)
            assert {h.field for h in hits} == {"child_dob"}, (fonttype, suffix)


def test_matplotlibs_generated_ids_are_not_read_as_a_date_of_birth(tmp_path):
    """Matplotlib names an SVG's clip paths, markers and path collections with ten hex digits of
    a hash (``p89611a49a6``, ``m9c00143a63``, ``C0_0_...``): random digit groups, like the
    geometry. An id or reference of another form, and the same digits as text, are scanned."""
    svg = ('<svg><defs><clipPath id="p100115ab3c"><rect x="1"/></clipPath>'
           '<path id="m1a100115c4" d="M 0 0"/><path id="C0_0_100115abcd" d="M 1 1"/></defs>'
           '<g clip-path="url(#p100115ab3c)"><use xlink:href="#m1a100115c4" x="2"/>'
           '<use href="#C0_0_100115abcd"/></g><image id="image100115abcd"/></svg>')
    assert _hits(tmp_path, "figure.svg", svg.encode()) == set()
    for planted in ('<g id="born-100115"/>', '<a href="#p100115">x</a>',
                    "<text>p100115ab3c</text>", "<text>see (m1a100115c4)</text>"):
        hits = _hits(tmp_path, "figure.svg", svg.replace("</svg>", planted + "</svg>").encode())
        assert {(p, f) for p, f, _ in hits} == {("P07", "child_dob")}, planted


def test_a_hash_named_pdf_resource_is_not_read_as_a_date_of_birth(tmp_path):
    """WeasyPrint names each image of report.pdf ``/i`` + an MD5 digest + a digit."""
    name = b"/i83514798897488da100115a5cd94fb2b9bc1"
    pdf = _pdf(_object(4, b"/XObject << " + name + b" 139 0 R >>"),
               _object(5, b"/Filter /FlateDecode",
                       zlib.compress(b"q 1 0 0 1 0 0 cm " + name + b" Do Q")))
    assert _hits(tmp_path, "report.pdf", pdf) == set()
    pdf = _pdf(_object(4, b"/XObject << /i100115 139 0 R >>"))  # a name that is no hash
    assert {(p, f) for p, f, _ in _hits(tmp_path, "report.pdf", pdf)} == {("P07", "child_dob")}
