"""Views: how each kind of output file is read (the text the needles are searched in).

Views (the ``view`` of a hit)
    ``filename`` (the path relative to the base), ``text`` (UTF-8 text files, and every file of an
    unknown type that decodes), ``raw-bytes`` (undecodable files of unknown type, latin-1),
    ``markup-unescaped`` and ``markup-spaced`` (HTML/SVG/XML with comments opened, tags removed -
    joined, so ``O&#39;<b>Neil</b>`` is found, and replaced by a space, so adjacent table cells
    stay apart - and entities unescaped), ``markup-attributes`` (every attribute value,
    unescaped: alt, title, meta content ...), ``embedded-png-metadata`` (images inlined as
    ``data:`` URIs; their base64 payload is not scanned as text), ``notebook cell N source`` /
    ``notebook cell N outputs`` / ``notebook metadata`` (decoded .ipynb strings), ``png-metadata``
    (tEXt/zTXt/iTXt/eXIf chunks), ``pdf-raw`` (the bytes as latin-1 with binary stream bodies
    blanked), ``pdf-metadata`` (the /Title /Author /Subject /Keywords /Creator /Producer strings,
    UTF-16 decoded), ``pdf-text`` (the Tj/TJ strings of the decompressed content streams, a TJ
    array's pieces joined), ``pdf-streams`` (every decompressed text stream: content
    streams, object streams, CMaps, XMP; in ``pdf-raw`` and ``pdf-streams`` the numbers of PDF
    syntax are masked, :func:`_pdf_views`),
    ``sav`` (pyreadstat: file label, variable names and labels, value labels, string data) and
    ``office:<part>`` (every XML part of .xlsx/.docx/.pptx/.odt files).
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import json
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from parentgroup.leak_check.matching import _mask_geometry, _mask_pdf_numbers
from parentgroup.leak_check.pdf_text import IMAGE_DICTIONARY, literal_bytes, pdf_unicode_text

log = logging.getLogger(__name__)

_TEXT_SUFFIXES = {
    ".csv", ".tsv", ".txt", ".md", ".json", ".yaml", ".yml", ".log", ".rst", ".tex", ".bib",
    ".py", ".r", ".qmd", ".rmd", ".ipynb", ".html", ".htm", ".svg", ".xml", ".qde",
}
_MARKUP_SUFFIXES = {".html", ".htm", ".svg", ".xml", ".qde"}
_OFFICE_SUFFIXES = {".xlsx", ".xlsm", ".docx", ".pptx", ".odt", ".ods", ".odp"}


class _View:
    """A view's name and text, and the source offset of each character (None: identity).

    ``build_origin`` computes the offsets on first use: only a view with a match needs them.
    """

    def __init__(self, name: str, text: str, origin: list[int] | None = None,
                 build_origin: Callable[[], list[int]] | None = None):
        self.name = name
        self.text = text
        self._origin = origin
        self._build_origin = build_origin

    @property
    def origin(self) -> list[int] | None:
        if self._origin is None and self._build_origin is not None:
            self._origin = self._build_origin()
        return self._origin

    def renamed(self, name: str) -> _View:
        return _View(name, self.text, self._origin, self._build_origin)

    def source_offset(self, index: int) -> int:
        origin = self.origin
        if not origin:
            return index
        return origin[min(index, len(origin) - 1)]


_TAG = re.compile(r"<!--|-->|<!\[CDATA\[|\]\]>|<[^<>]*>", re.S)
_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,31});?")
_ATTRIBUTE = re.compile(r"""[\s<][\w:.-]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.S)
_DATA_URI = re.compile(r"data:([\w.+-]+/[\w.+-]+)?(?:;[\w=.-]+)*;base64,([A-Za-z0-9+/=\s\\n]+)")


def _unescape_mapped(text: str, base: int, pieces: list[str], origin: list[int] | None) -> None:
    """Entities unescaped into ``pieces``; the source offsets into ``origin`` unless None."""
    position = 0
    for match in _ENTITY.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
            if origin is not None:
                origin.extend(range(base + position, base + match.start()))
        value = html.unescape(match.group())
        pieces.append(value)
        if origin is not None:
            origin.extend([base + match.start()] * len(value))
        position = match.end()
    pieces.append(text[position:])
    if origin is not None:
        origin.extend(range(base + position, base + len(text)))



def _markup_view(text: str, name: str, with_origin: bool) -> tuple[str, list[int] | None]:
    """One markup view of ``text`` (see :func:`_markup_views`) and, if asked, its offsets."""
    pieces: list[str] = []
    origin: list[int] | None = [] if with_origin else None
    if name == "markup-attributes":
        for match in _ATTRIBUTE.finditer(text):
            group = 1 if match.group(1) is not None else 2
            _unescape_mapped(match.group(group), match.start(group), pieces, origin)
            pieces.append("\n")
            if origin is not None:
                origin.append(match.end())
        return "".join(pieces), origin
    replacement = "" if name == "markup-unescaped" else " "
    position = 0
    for tag in _TAG.finditer(text):
        _unescape_mapped(text[position : tag.start()], position, pieces, origin)
        rep = replacement or _tag_joiner(tag.group())
        pieces.append(rep)
        if origin is not None:
            origin.extend([tag.start()] * len(rep))
        position = tag.end()
    _unescape_mapped(text[position:], position, pieces, origin)
    return "".join(pieces), origin


def _markup_views(text: str) -> list[_View]:
    """Tags removed (joined and spaced), entities unescaped, and all attribute values of a
    markup text whose geometry digits the caller has masked (:func:`_mask_geometry`). The
    offset maps are built when a view has a match."""
    return [
        _View(name, _markup_view(text, name, False)[0],
              build_origin=lambda name=name: _markup_view(text, name, True)[1])
        for name in ("markup-unescaped", "markup-spaced", "markup-attributes")
    ]


_BLOCK_TAGS = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|tr|td|th|table|h[1-6]|section|article|header|footer|title|"
    r"text|tspan|g|svg|head|body|html|meta|pre|blockquote|figcaption|caption|cell|row|c|v|t|si)\b",
    re.I,
)


def _tag_joiner(tag: str) -> str:
    """In the joined view, inline tags (b, i, span, a ...) vanish; block tags and comment
    markers still separate."""
    return " " if _BLOCK_TAGS.match(tag) or not tag.startswith("<") or tag.startswith("<!") else ""


def _blank_data_uris(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """Base64 payloads replaced by spaces (same length); returns the decoded payloads."""
    payloads: list[tuple[str, bytes]] = []

    def blank(match: re.Match) -> str:
        data = re.sub(r"\s|\\n", "", match.group(2))
        try:
            payloads.append((match.group(1) or "", base64.b64decode(data + "=" * (-len(data) % 4))))
        except (binascii.Error, ValueError):
            pass
        return match.group()[: match.start(2) - match.start()] + " " * len(match.group(2))

    return _DATA_URI.sub(blank, text), payloads


def _embedded_views(payloads: Sequence[tuple[str, bytes]], prefix: str,
                    depth: int = 0) -> list[_View]:
    """The views of files inlined as ``data:`` URIs: PNG metadata, SVG markup, PDF views, and
    any other payload as text (and markup, and its own inlined files, three levels deep) or as
    its printable strings. Snakemake's workflow report inlines the site's report.html and
    figures this way."""
    views = []
    for mime, data in payloads:
        if data.startswith(b"\x89PNG") or mime == "image/png":
            views.append(_View(f"{prefix}embedded-png-metadata", _png_text(data)))
        elif "svg" in mime or data.lstrip().startswith((b"<svg", b"<?xml")):
            inner = _mask_geometry(data.decode("utf-8", "replace"))
            views.append(_View(f"{prefix}embedded-svg", inner))
            views += [_View(f"{prefix}embedded-svg-{v.name}", v.text) for v in _markup_views(inner)]
        elif data.startswith(b"%PDF"):
            views += [v.renamed(f"{prefix}embedded-{v.name}") for v in _pdf_views(data)]
        elif depth < 3:
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                views.append(_View(f"{prefix}embedded-bytes", _strings(data)))
                continue
            text, inner_payloads = _blank_data_uris(text)
            if "html" in mime or "xml" in mime or re.search(
                    r"<(?:html|body|svg|p|div|span|table)\b", text[:20000], re.I):
                text = _mask_geometry(text)
                views.append(_View(f"{prefix}embedded-text", text))
                views += [v.renamed(f"{prefix}embedded-{v.name}") for v in _markup_views(text)]
            else:
                views.append(_View(f"{prefix}embedded-text", text))
            views += _embedded_views(inner_payloads, f"{prefix}embedded ", depth + 1)
    return views


def _png_text(data: bytes) -> str:
    """The tEXt, zTXt, iTXt and eXIf chunks of a PNG file (keyword and value)."""
    texts: list[str] = []
    position = 8
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        try:
            if kind == b"tEXt":
                texts.append(body.decode("latin-1").replace("\0", "\n"))
            elif kind == b"zTXt":
                key, _, rest = body.partition(b"\0")
                texts.append(key.decode("latin-1") + "\n"
                             + zlib.decompress(rest[1:]).decode("latin-1"))
            elif kind == b"iTXt":
                key, _, rest = body.partition(b"\0")
                compressed, rest = rest[0], rest[2:]
                language, _, rest = rest.partition(b"\0")
                translated, _, rest = rest.partition(b"\0")
                value = zlib.decompress(rest) if compressed else rest
                texts.append("\n".join(
                    part.decode("utf-8", "replace") for part in (key, language, translated, value)))
            elif kind == b"eXIf":
                texts.append(body.decode("latin-1"))
        except (zlib.error, IndexError):
            texts.append(body.decode("latin-1"))
        if kind == b"IEND":
            break
        position += 12 + length
    return "\n".join(texts)


_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_PDF_INFO = re.compile(
    rb"/(Title|Author|Subject|Keywords|Creator|Producer)\s*"
    rb"(\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>)",
    re.S,
)
_PDF_TEXT_OP = re.compile(
    rb"(\[(?:[^\]\\]|\\.)*\]|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)\s*(?:T[jJ]|'|\")", re.S
)
_PDF_LITERAL = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>", re.S)
def _pdf_string(token: bytes) -> str:
    """Decode a PDF literal ``(...)`` or hex ``<...>`` string (UTF-16BE when it has a BOM)."""
    raw = literal_bytes(token)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def _printable(data: bytes) -> bool:
    if not data:
        return False
    sample = data[:4096]
    return sum(32 <= b < 127 or b in (9, 10, 13) for b in sample) / len(sample) > 0.9


def _stream_dictionary(data: bytes, stream_start: int) -> bytes:
    """The dictionary of the stream starting at ``stream_start`` (from its object's ``obj``
    keyword to ``stream``)."""
    head_start = data.rfind(b"obj", 0, stream_start)
    return data[max(head_start, 0) : stream_start]


#: Streams that are not PDF syntax: an XMP packet (XML) and an attached file hold text and data
#: whose numbers may be anything, so their digits are never masked.
_NOT_PDF_SYNTAX = re.compile(rb"/Type\s*/(?:Metadata|EmbeddedFile)\b|/Subtype\s*/XML\b")


def _is_pdf_syntax(dictionary: bytes, content: bytes) -> bool:
    """Whether a stream's content is PDF syntax (a page's or form's content stream, a Type 3
    glyph, an object stream, a CMap), whose numbers are geometry and bookkeeping
    (:func:`~parentgroup.leak_check.matching._mask_pdf_numbers`)."""
    if _NOT_PDF_SYNTAX.search(dictionary):
        return False
    return not content.lstrip()[:2] == b"<?" and b"<x:xmpmeta" not in content[:4096]


def _mask_outside(text: str, keep: Sequence[tuple[int, int]]) -> str:
    """``text`` with the numbers of PDF syntax masked except inside the ``keep`` spans."""
    pieces, position = [], 0
    for start, end in sorted(keep):
        pieces += [_mask_pdf_numbers(text[position:start]), text[start:end]]
        position = end
    pieces.append(_mask_pdf_numbers(text[position:]))
    return "".join(pieces)


def _pdf_views(data: bytes) -> list[_View]:
    """The views of a PDF. The numbers of PDF syntax - drawing operators' operands, dictionary
    values, object numbers, the cross-reference table - are masked in the raw and stream views
    (at a large site they spell dates of birth by chance, as SVG geometry does); the strings,
    the text a reader sees, keep their digits, and so do XMP packets and attached files."""
    raw = bytearray(data)
    streams: list[bytes] = []
    shown: list[str] = []  # the streams as scanned: PDF syntax with its numbers masked
    raw_kept: list[tuple[int, int]] = []  # stream bodies kept in the raw view, not PDF syntax
    for match in _PDF_STREAM.finditer(data):
        body = match.group(1)
        dictionary = _stream_dictionary(data, match.start())
        if IMAGE_DICTIONARY.search(dictionary):
            # pixels (a figure, or its alpha mask): no text to find, and inflating the report's
            # figures was most of the time spent on a PDF; the dictionary stays in the raw view
            raw[match.start(1) : match.end(1)] = b" " * len(body)
            continue
        try:
            content = zlib.decompress(body)
        except zlib.error:
            content = body
        syntax = _is_pdf_syntax(dictionary, content)
        if content is not body or not _printable(body):
            raw[match.start(1) : match.end(1)] = b" " * len(body)
        elif not syntax:
            raw_kept.append(match.span(1))
        if _printable(content):
            streams.append(content)
            text = content.decode("latin-1")
            shown.append(_mask_pdf_numbers(text) if syntax else text)
    info = [
        f"{key.decode()}: {_pdf_string(value)}" for key, value in _PDF_INFO.findall(data)
    ]
    texts: list[str] = []
    for stream in streams:
        for operand, in ((m.group(1),) for m in _PDF_TEXT_OP.finditer(stream)):
            pieces = _PDF_LITERAL.findall(operand) if operand.startswith(b"[") else [operand]
            texts.append("".join(_pdf_string(p) for p in pieces))
    return [
        _View("pdf-raw", _mask_outside(_strings(bytes(raw)), raw_kept)),
        _View("pdf-metadata", "\n".join(info)),
        _View("pdf-text", "\n".join(texts)),
        _View("pdf-streams", "\n".join(shown)),
        # embedded subset fonts (WeasyPrint's report.pdf): glyph numbers read through ToUnicode
        _View("pdf-unicode", pdf_unicode_text(data)),
    ]


def _sav_view(path: Path) -> _View:
    import pyreadstat

    frame, meta = pyreadstat.read_sav(str(path))
    parts = [meta.file_label or "", " ".join(map(str, frame.columns))]
    parts += [str(label) for label in (meta.column_labels or []) if label]
    for labels in (meta.variable_value_labels or {}).values():
        parts += [f"{key} {value}" for key, value in labels.items()]
    for column in frame.columns:
        if frame[column].dtype == object:
            parts += [str(v) for v in frame[column].dropna()]
    return _View("sav", "\n".join(parts))


def _notebook_views(text: str) -> list[_View]:
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError:
        return []
    views: list[_View] = []

    def strings(node, payloads: list[tuple[str, bytes]], key: str = "") -> list[str]:
        if isinstance(node, str):
            if key.startswith("image/") and "svg" not in key:
                try:
                    payloads.append((key, base64.b64decode(node)))
                except (binascii.Error, ValueError):
                    pass
                return []
            return [node]
        if isinstance(node, list):
            if all(isinstance(x, str) for x in node) and key in ("source", "text", "text/html",
                                                                 "text/plain", "text/markdown",
                                                                 "image/svg+xml", "traceback"):
                return ["".join(node)]
            return [s for x in node for s in strings(x, payloads, key)]
        if isinstance(node, dict):
            return [f"{k}\n{s}" if isinstance(v, (str, int, float)) else s
                    for k, v in node.items() for s in strings(v, payloads, k)]
        return [str(node)] if isinstance(node, (int, float)) else []

    cells = notebook.get("cells", []) if isinstance(notebook, dict) else []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            continue
        for part in ("source", "outputs", "attachments", "metadata"):
            if part not in cell:
                continue
            payloads: list[tuple[str, bytes]] = []
            joined, blank = _blank_data_uris("\n".join(strings(cell[part], payloads, part)))
            joined = _mask_geometry(joined)
            name = f"notebook cell {number} {part}"
            views.append(_View(name, joined))
            views += [v.renamed(f"{name} {v.name}") for v in _markup_views(joined)]
            views += _embedded_views(payloads + blank, f"{name} ")
    if isinstance(notebook, dict) and "metadata" in notebook:
        views.append(_View("notebook metadata", "\n".join(strings(notebook["metadata"], []))))
    return views


def _office_views(data: bytes) -> list[_View]:
    views: list[_View] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in sorted(archive.namelist()):
            content = archive.read(member)
            if member.endswith((".xml", ".rels", ".vml")):
                text = _mask_geometry(content.decode("utf-8", "replace"))
                views.append(_View(f"office:{member}", text))
                views += [v.renamed(f"office:{member} {v.name}") for v in _markup_views(text)]
            elif content.startswith(b"\x89PNG"):
                views.append(_View(f"office:{member} png-metadata", _png_text(content)))
    return views


_PRINTABLE_RUN = re.compile(rb"[\t\n\r\x20-\x7e]{6,}")


def _strings(data: bytes) -> str:
    """Like ``strings``: printable ASCII runs of six or more bytes kept, the rest blanked,
    so compressed or binary data does not produce chance hits but offsets stay file offsets."""
    kept = bytearray(b" " * len(data))
    for run in _PRINTABLE_RUN.finditer(data):
        kept[run.start() : run.end()] = run.group()
    return bytes(kept).decode("latin-1")


def file_views(path: Path, relative: str) -> list[_View]:
    """Every view of one file that is scanned (see the module docstring)."""
    views = [_View("filename", relative)]
    suffix = path.suffix.casefold()
    data = path.read_bytes()
    if suffix == ".png" or data.startswith(b"\x89PNG\r\n\x1a\n"):
        return views + [_View("png-metadata", _png_text(data))]
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        return views + _pdf_views(data)
    if suffix in (".sav", ".zsav"):
        try:
            return views + [_sav_view(path)]
        except Exception as error:  # noqa: BLE001 - an unreadable .sav is scanned as bytes
            log.warning("%s: not readable as SPSS (%s); scanning its bytes", relative,
                        type(error).__name__)
            return views + [_View("raw-bytes", _strings(data))]
    if suffix in _OFFICE_SUFFIXES and zipfile.is_zipfile(io.BytesIO(data)):
        return views + _office_views(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if suffix in _TEXT_SUFFIXES:
            text = data.decode("utf-8", "replace")
        else:
            return views + [_View("raw-bytes", _strings(data))]
    text, payloads = _blank_data_uris(text)
    markup = suffix in _MARKUP_SUFFIXES or (suffix not in (".csv", ".tsv") and re.search(
        r"<(?:html|body|svg|p|div|span|table)\b", text[:20000], re.I))
    if markup:
        text = _mask_geometry(text)
        views += [_View("text", text), *_markup_views(text)]
    else:
        views.append(_View("text", text))
    if suffix == ".ipynb":
        views += _notebook_views(text)
    views += _embedded_views(payloads, "")
    return views


