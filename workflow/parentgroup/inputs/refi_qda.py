"""REFI-QDA (QDA-XML 1.0) projects (``.qdpx``) and codebooks (``.qdc``), read with ``xml.etree``.

The standard (REFI-QDA Project Exchange, QDA-XML 1.0; schema ``urn:QDA-XML:project:1.0``):
a ``.qdpx`` is a ZIP holding one ``project.qde`` XML file and the plain-text sources under
``sources/`` (referenced as ``internal://<guid>.txt``). A ``PlainTextSelection`` marks the
characters ``[startPosition, endPosition)`` of its source (Unicode code points, the first is 0;
the end is exclusive in practice: the spec's ATLAS.ti example and QualCoder both slice
``text[start:end]``); each ``Coding`` child points at one ``Code`` by ``CodeRef@targetGUID``.

Real exports depart from the standard, and this reader codes against what vendors write
(see the reference notes, section 2.5):

- the ``.qde`` may be named after the project (ATLAS.ti ``Trial.qde``): any ``*.qde`` is read
  (``project.qde`` preferred when there are several);
- the source folder may be ``Sources/`` (NVivo) as well as ``sources/``, and member paths may
  use backslashes (``Sources\\<guid>.txt``, written by some Windows zip libraries);
- source text is UTF-8 with or without a byte-order mark (NVivo, QualCoder), or UTF-16 or
  UTF-32 with a byte-order mark; text that is none of these is read as Windows-1252 with a
  warning, and a source no encoding explains is refused with the cause
  (:func:`decode_source_bytes`);
- the unit of ``startPosition``/``endPosition``: the standard says Unicode code points, but
  NVivo counts UTF-16 code units (an emoji or any character beyond U+FFFF is two), so every
  selection after one is shifted by one per such character; Windows line endings: NVivo and
  most tools count CRLF as two characters, ATLAS.ti as one; a byte-order mark is normally not
  counted. The convention is decided **per source** (:func:`choose_convention`): the one under
  which the most selections reproduce their own text (``@name``, where ATLAS.ti stores the
  quote) and fall on token boundaries (no word cut, no leading or trailing space); on a tie,
  the unit the project's ``origin`` declares (NVivo: UTF-16; other tools: code points), then
  CRLF as two, then the BOM not counted. The choice and its evidence are in
  :attr:`QdaProject.offset_choices` (no text, no names) and the log;
- a selection that cannot be used is refused for its true reason (negative, reversed or empty
  offsets, past the end of its source, inside a character, cutting a word, text differing from
  its name), one message per reason with the number of selections lost and the first
  locations; the run goes on without them unless none of the project's codings survive;
- NVivo writes one unnamed selection per coding: selections are merged by span
  ``(source, start, end)`` and their codes combined;
- ``isCodable`` is not trusted as a folder flag (MAXQDA marks category codes codable): every
  code keeps its full path of names and callers decide what a parent means;
- nameless ``Case`` elements (MAXQDA, Quirkos variable carriers) are ignored; a named case with
  a ``SourceRef`` names the person a source belongs to.

- a project without usable codings says what it holds instead: nothing at all, codes but no
  codings (a codebook-only ATLAS.ti export, a MAXQDA export without codings), codings on PDF,
  picture or media sources (not read), codings on whole sources (not excerpts).

All offsets returned here are code points into the source text with line endings normalised
to ``\\n`` and no BOM. Problems are collected in :attr:`QdaProject.problems`; nothing is
raised on bad data.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from parentgroup.problems import ERROR, WARNING, InputProblem
from parentgroup.tables import is_true

log = logging.getLogger(__name__)

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
CRLF_AS_TWO = "crlf_as_2"
CRLF_AS_ONE = "crlf_as_1"
#: The evidence score of one selection that fits perfectly (see :func:`choose_convention`).
FULL_SCORE = 4
CODE_POINTS = "code points"
UTF16_UNITS = "UTF-16 code units"

# Why a selection is refused (each completes "N selection(s) ... and are not used").
NEGATIVE = "have a negative offset"
REVERSED = "end before they start"
EMPTY = "are empty (start equals end)"
PAST_END = "end past the end of their source text"
SPLIT_CHARACTER = "start or end inside a character (half of a UTF-16 surrogate pair)"
CUTS_WORD = "start or end inside a word"
TEXT_DIFFERS = "do not reproduce their own text (name) at their offsets"
NOT_INTEGER = "have offsets that are not whole numbers"
UNKNOWN_CODE = "refer to a code missing from the codebook"
REFUSAL_ORDER = (NOT_INTEGER, NEGATIVE, REVERSED, EMPTY, PAST_END, SPLIT_CHARACTER, CUTS_WORD,
                 TEXT_DIFFERS, UNKNOWN_CODE)
REFUSAL_EXPECTED = {
    NOT_INTEGER: "whole-number startPosition and endPosition",
    NEGATIVE: "offsets of 0 or more",
    REVERSED: "endPosition after startPosition",
    EMPTY: "selections of at least one character",
    PAST_END: "offsets inside the source text",
    SPLIT_CHARACTER: "offsets between characters",
    CUTS_WORD: "selections that start and end on word boundaries",
    TEXT_DIFFERS: "the selection's text (its name) at its offsets (in code points or UTF-16 "
                  "units, CRLF as one or two characters)",
    UNKNOWN_CODE: "a CodeRef naming a code of the project's codebook",
}


@dataclass(frozen=True)
class Code:
    """One code of the codebook; ``path`` holds the names from the root down to this code."""

    guid: str
    name: str
    path: tuple[str, ...]
    description: str = ""
    is_codable: bool = True
    parent_guid: str | None = None

    @property
    def path_text(self) -> str:
        """The path as ``Parent/Child``."""
        return "/".join(self.path)


@dataclass(frozen=True)
class Source:
    """A plain-text source: its text with line endings normalised to ``\\n``."""

    guid: str
    name: str
    text: str
    case: str = ""


@dataclass(frozen=True)
class Selection:
    """A verified, merged span of one source and the codes applied to it.

    ``start``/``end`` index :attr:`Source.text`; ``text`` is ``source.text[start:end]``;
    ``guids`` are the selection guids merged into this span (document order).
    """

    guid: str
    source_guid: str
    start: int
    end: int
    text: str
    code_guids: tuple[str, ...]
    guids: tuple[str, ...] = ()
    convention: str = CRLF_AS_TWO
    unit: str = CODE_POINTS


@dataclass
class QdaProject:
    """What a ``.qdpx`` holds that the pipeline uses, plus every problem met reading it."""

    name: str = ""
    origin: str = ""
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    #: per coded source: how its offsets were read and the evidence (source number, declared
    #: unit, unit, line endings, BOM, selections, used, refused, scores); no text, no names
    offset_choices: list[dict] = field(default_factory=list)

    def code(self, guid: str) -> Code | None:
        return {c.guid: c for c in self.codes}.get(guid)

    def source(self, guid: str) -> Source | None:
        return {s.guid: s for s in self.sources}.get(guid)


# ----------------------------------------------------------------------------- XML helpers


def _local(tag: str) -> str:
    """Element name without its namespace (``{urn:...}Code`` -> ``Code``)."""
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text_of(element: ElementTree.Element | None) -> str:
    return "" if element is None else "".join(element.itertext()).strip()



def _read_codes(codes_element: ElementTree.Element | None) -> list[Code]:
    """Flatten nested ``Code`` elements into a list (document order) with their paths."""
    out: list[Code] = []

    def walk(element: ElementTree.Element, parents: tuple[str, ...], parent_guid: str | None):
        for code in _children(element, "Code"):
            name = (code.get("name") or "").strip()
            path = (*parents, name)
            guid = (code.get("guid") or "").strip().strip("{}").lower()
            out.append(
                Code(
                    guid=guid,
                    name=name,
                    path=path,
                    description=_text_of(_child(code, "Description")),
                    is_codable=is_true(code.get("isCodable", "true")),
                    parent_guid=parent_guid,
                )
            )
            walk(code, path, guid)

    if codes_element is not None:
        walk(codes_element, (), None)
    return out


def _guid(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


# ----------------------------------------------------------------------------- text helpers


class SourceEncodingError(ValueError):
    """A source file no supported encoding explains; ``str()`` says why (no text)."""


#: Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one).
_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)


def decode_source_bytes(raw: bytes) -> tuple[str, str, bool]:
    """Decode a source file, as the transcript reader does: a byte-order mark decides (UTF-8,
    UTF-16 or UTF-32, either byte order); without one UTF-8, else Windows-1252.

    Returns ``(text, encoding, had_bom)``: the text without its BOM, line endings left as they
    are (offsets may count them). Raises :class:`SourceEncodingError` saying why for text with
    NUL bytes (UTF-16 or UTF-32 without a BOM), a byte Windows-1252 does not define, or bytes
    that contradict their BOM.

    >>> decode_source_bytes("Zoë\\r\\n".encode("utf-16"))
    ('Zoë\\r\\n', 'utf-16-le', True)
    >>> decode_source_bytes(b"Zo\\xeb")
    ('Zoë', 'cp1252', False)
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(encoding), encoding, True
            except UnicodeDecodeError as exc:
                raise SourceEncodingError(
                    f"a {encoding.upper()} byte-order mark but bytes that are not "
                    f"{encoding.upper()} text (byte {exc.start + len(bom)})"
                ) from None
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise SourceEncodingError(
                f"byte 0x{raw[exc.start]:02X} on line {line} is neither UTF-8 nor Windows-1252"
            ) from None
    if "\x00" in text:
        raise SourceEncodingError("NUL bytes (UTF-16 or UTF-32 without a byte-order mark?)")
    return text, encoding, False


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR to LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def squeeze_whitespace(text: str) -> str:
    """Runs of whitespace to one space, ends stripped (the comparison form of an excerpt)."""
    return " ".join(str(text).split())


def _crlf_positions(raw: str) -> list[int]:
    """Indices of the CR of every CRLF pair in ``raw`` (these characters vanish on normalising)."""
    return [m.start() for m in re.finditer("\r\n", raw)]


def crlf_two_to_one(position: int, crs: list[int]) -> int:
    """Map an offset counted with CRLF as two characters to one counted with CRLF as one.

    ``crs`` are the indices of the CRs of CRLF pairs; each one before ``position`` is removed.

    >>> crlf_two_to_one(5, [1, 3])
    3
    """
    from bisect import bisect_left

    return position - bisect_left(crs, position)


def on_word_boundaries(text: str, start: int, end: int) -> bool:
    """True when neither end of ``text[start:end]`` cuts through a word."""

    def cuts(i: int) -> bool:
        return 0 < i < len(text) and text[i - 1].isalnum() and text[i].isalnum()

    return not cuts(start) and not cuts(end)


def _name_matches(name: str, sliced: str) -> bool:
    """Does a selection's ``@name`` reproduce its slice (whitespace-insensitive)?

    A name ending in an ellipsis (a truncated quote) matches when the slice starts with it.
    """
    name_n, slice_n = squeeze_whitespace(name), squeeze_whitespace(sliced)
    if name_n == slice_n:
        return True
    for ellipsis in ("...", "…"):
        if name_n.endswith(ellipsis) and len(name_n) > len(ellipsis) + 10:
            return slice_n.startswith(name_n[: -len(ellipsis)].rstrip())
    return False


# ----------------------------------------------------------------------------- the archive


def _archive_member(names: list[str], wanted: str) -> str | None:
    """Find a member by path, case-insensitively, also under ``sources/``/``Sources/``.

    ``names`` are the member paths with ``/`` as separator (see :func:`read_qdpx`); a
    backslash in ``wanted`` counts as one too.
    """
    wanted = wanted.replace("\\", "/").lstrip("/")
    lowered = {n.casefold(): n for n in names}
    for candidate in (wanted, f"sources/{wanted}"):
        if candidate.casefold() in lowered:
            return lowered[candidate.casefold()]
    base = PurePosixPath(wanted).name.casefold()
    matches = sorted(n for n in names if PurePosixPath(n).name.casefold() == base)
    return matches[0] if len(matches) == 1 else None


def _choose_qde(names: list[str]) -> tuple[str | None, str]:
    qde = sorted(n for n in names if n.casefold().endswith(".qde"))
    if not qde:
        return None, "a .qdpx archive holding a project .qde file (none found)"
    if len(qde) == 1:
        return qde[0], ""
    preferred = [n for n in qde if PurePosixPath(n).name.casefold() == "project.qde"]
    if len(preferred) == 1:
        return preferred[0], ""
    return None, f"one .qde project file in the archive (found {len(qde)})"


def read_qdpx(path: Path) -> QdaProject:
    """Read a REFI-QDA project archive: codes, text sources and verified, merged selections.

    Returns a :class:`QdaProject`; every problem (unreadable archive, undecodable or missing
    source text, a selection that matches its text under neither line-ending convention) is in
    ``project.problems`` with the archive's file name, never raised.
    """
    path = Path(path)
    label = path.name
    project = QdaProject()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        project.problems.append(
            InputProblem(label, None, None, None, f"a REFI-QDA .qdpx (ZIP) archive ({exc})")
        )
        return project
    with archive:
        # some Windows zip libraries write "Sources\\<guid>.txt": compare paths with "/"
        members = {n.replace("\\", "/"): n for n in archive.namelist()}
        names = [n for n in members if not n.endswith("/")]
        qde, why = _choose_qde(names)
        if qde is None:
            project.problems.append(InputProblem(label, None, None, None, why))
            return project
        try:
            root = ElementTree.fromstring(archive.read(members[qde]))
        except ElementTree.ParseError as exc:
            project.problems.append(
                InputProblem(label, None, None, None, f"well-formed XML in {qde} ({exc})")
            )
            return project

        def read_member(member: str) -> bytes | None:
            found = _archive_member(names, member)
            return None if found is None else archive.read(members[found])

        _read_project(root, project, label, read_member, path.parent)
    return project


def _read_project(root, project: QdaProject, label: str, read_member, archive_dir: Path) -> None:
    if _local(root.tag) != "Project":
        project.problems.append(
            InputProblem(label, None, None, _local(root.tag), "a QDA-XML <Project> root element")
        )
        return
    project.name = root.get("name", "")
    project.origin = root.get("origin", "")
    declared = declared_unit(project.origin)
    codebook = _child(root, "CodeBook")
    project.codes = _read_codes(_child(codebook, "Codes") if codebook is not None else None)
    code_guids = {c.guid for c in project.codes}

    case_of_source: dict[str, str] = {}
    cases = _child(root, "Cases")
    for case in _children(cases, "Case") if cases is not None else []:
        name = (case.get("name") or "").strip()
        if not name:
            continue  # MAXQDA/Quirkos: a nameless case only carries document variables
        for ref in _children(case, "SourceRef"):
            case_of_source.setdefault(_guid(ref.get("targetGUID")), name)

    base_path = root.get("basePath", "")
    sources = _child(root, "Sources")
    elements = list(sources) if sources is not None else []
    refusals = _Refusals()
    counts = {"text_sources": 0, "other_sources": 0, "other_codings": 0, "whole_source": 0,
              "selections_coded": 0}
    other_kinds: set[str] = set()
    for number, element in enumerate(elements, start=1):
        kind = _local(element.tag)
        if kind != "TextSource":
            coded = len(element.findall(f".//{{{PROJECT_NS}}}Coding")) + len(
                element.findall(".//Coding")
            )
            counts["other_sources"] += 1
            if coded:
                counts["other_codings"] += coded
                other_kinds.add(kind)
            continue
        counts["text_sources"] += 1
        guid = _guid(element.get("guid"))
        name = (element.get("name") or "").strip()
        counts["whole_source"] += len(_children(element, "Coding"))
        counts["selections_coded"] += sum(
            1 for sel in _children(element, "PlainTextSelection") if _children(sel, "Coding")
        )
        found = _source_text(element, guid, label, project, read_member, base_path, archive_dir)
        if found is None:
            continue
        raw, had_bom = found
        source = Source(guid, name, normalise_newlines(raw), case_of_source.get(guid, ""))
        project.sources.append(source)
        project.selections += _read_selections(
            element, raw, had_bom, source, number, code_guids, declared, project, refusals
        )
    _report_contents(project, label, counts, other_kinds, refusals)


def _report_contents(project, label, counts, other_kinds, refusals) -> None:
    """Say what a project holds when it holds no usable coding, and group the refusals."""
    used = len(project.selections)
    codings_anywhere = counts["selections_coded"] + counts["whole_source"] + counts["other_codings"]
    fatal_if_empty = ERROR if used == 0 else WARNING
    if not project.codes and not counts["text_sources"] and not counts["other_sources"]:
        project.problems.append(InputProblem(
            label, None, None, None,
            "coded excerpts, but the project is empty (no codes, no sources, no codings); "
            "export the coded project again, or set coding: {file: ''} for a site without coding",
        ))
        return
    if codings_anywhere == 0:
        project.problems.append(InputProblem(
            label, None, None, None,
            f"coded excerpts, but the project holds {len(project.codes)} code(s) and "
            f"{counts['text_sources'] + counts['other_sources']} source(s) and no codings (a "
            "codebook-only export, e.g. ATLAS.ti's codebook or a MAXQDA export without coded "
            "segments); export the project with its codings",
        ))
        return
    if counts["other_codings"]:
        project.problems.append(InputProblem(
            label, None, ", ".join(sorted(other_kinds)), None,
            f"codings on plain-text sources; {counts['other_codings']} coding(s) on PDF, "
            "picture or media sources are not read (convert those documents to text in the QDA "
            "tool, or export their coded segments as CSV)",
            fatal_if_empty,
        ))
    if counts["whole_source"]:
        project.problems.append(InputProblem(
            label, None, "TextSource/Coding", None,
            f"codings on selected text; {counts['whole_source']} coding(s) apply a code to a "
            "whole source and are not excerpts, so they are not used",
            fatal_if_empty,
        ))
    project.problems += refusals.problems(label, fatal_if_empty)
    if used == 0 and not project.problems:
        project.problems.append(InputProblem(
            label, None, None, None,
            "coded excerpts, but none of the project's codings is on a text selection",
        ))


def _source_text(
    element, guid, label, project, read_member, base_path, archive_dir
) -> tuple[str, bool] | None:
    """The source's text as decoded (BOM removed, line endings as stored) and whether it began
    with a byte-order mark; None (with a problem) when it cannot be read."""
    inline = _child(element, "PlainTextContent")
    if inline is not None and inline.text is not None:
        text = inline.text
        return (text[1:], True) if text.startswith("\ufeff") else (text, False)
    path = (element.get("plainTextPath") or "").strip()
    where = f"text source {guid}"
    if not path:
        project.problems.append(
            InputProblem(
                label,
                None,
                where,
                None,
                "PlainTextContent or a plainTextPath for every text source",
            )
        )
        return None
    scheme, _, rest = path.partition("://")
    scheme = scheme.casefold()
    raw: bytes | None = None
    if scheme == "internal":
        raw = read_member(rest)
        missing = f"the source file {rest!r} inside the archive (sources/ folder)"
    elif scheme in {"relative", "absolute"}:
        if scheme == "relative":
            base = Path(base_path) if base_path else archive_dir
            if not base.is_absolute():
                base = archive_dir / base
            target = base / rest
            missing = (
                "the external source file at relative://… resolved against the "
                "project basePath (or the archive's folder when basePath is empty); "
                "copy it there or re-export with embedded sources"
            )
        else:
            target = Path(rest)
            missing = (
                "the external source file at absolute://…; "
                "re-export the project with embedded sources"
            )
        raw = target.read_bytes() if target.is_file() else None
    else:
        project.problems.append(
            InputProblem(
                label,
                None,
                where,
                path,
                "plainTextPath starting with internal://, relative:// or absolute://",
                sensitive=True,
            )
        )
        return None
    if raw is None:
        project.problems.append(InputProblem(label, None, where, path, missing, sensitive=True))
        return None
    try:
        text, encoding, had_bom = decode_source_bytes(raw)
    except SourceEncodingError as exc:
        project.problems.append(InputProblem(
            label, None, where, None,
            f"source text in UTF-8 (the standard's encoding), or UTF-16 or UTF-32 with a "
            f"byte-order mark; found {exc}; its selections cannot be read",
        ))
        return None
    if encoding == "cp1252":
        project.problems.append(
            InputProblem(
                label, None, where, None,
                "UTF-8 source text (this one is not UTF-8 and was read as Windows-1252; export "
                "the project again with UTF-8 sources to be sure)", WARNING,
            )
        )
    return text, had_bom


# ----------------------------------------------------------------------------- offsets


@dataclass(frozen=True)
class OffsetConvention:
    """How a tool counted ``startPosition``/``endPosition`` in one source."""

    unit: str = CODE_POINTS
    crlf: str = CRLF_AS_TWO
    bom_counted: bool = False

    def describe(self) -> str:
        """E.g. ``UTF-16 code units, CRLF as two characters, BOM not counted``."""
        crlf = "CRLF as two characters" if self.crlf == CRLF_AS_TWO else "CRLF as one character"
        bom = "BOM counted" if self.bom_counted else "BOM not counted"
        return f"{self.unit}, {crlf}, {bom}"


def declared_unit(origin: str) -> str | None:
    """The offset unit the exporting tool is known to use, from the project's ``origin``.

    NVivo counts UTF-16 code units; ATLAS.ti, MAXQDA, QualCoder, Quirkos and Taguette count
    code points (the standard's unit); None for an unknown or missing origin.

    >>> declared_unit("NVivo 12.6.1"), declared_unit("ATLAS.ti 23.2.3"), declared_unit("")
    ('UTF-16 code units', 'code points', None)
    """
    origin = (origin or "").casefold()
    if "nvivo" in origin:
        return UTF16_UNITS
    if any(tool in origin for tool in ("atlas", "maxqda", "qualcoder", "quirkos", "taguette")):
        return CODE_POINTS
    return None


def offset_table(raw: str, convention: OffsetConvention) -> list[int]:
    """Offset under ``convention`` -> code-point index into the normalised text (``\\n`` line
    endings, no BOM); -1 where an offset falls inside a character (half a surrogate pair).

    ``raw`` is the decoded text without its BOM, line endings as stored.

    >>> offset_table("a\\U0001F600b", OffsetConvention(UTF16_UNITS))
    [0, 1, -1, 2, 3]
    >>> offset_table("a\\r\\nb", OffsetConvention(crlf=CRLF_AS_ONE))
    [0, 1, 2, 3]
    """
    utf16 = convention.unit == UTF16_UNITS
    table = [0] if convention.bom_counted else []
    norm = 0
    i = 0
    while i < len(raw):
        char = raw[i]
        table.append(norm)
        if char == "\r" and raw[i + 1 : i + 2] == "\n":
            if convention.crlf == CRLF_AS_TWO:
                table.append(norm)
            i += 2
        else:
            if utf16 and ord(char) > 0xFFFF:
                table.append(-1)
            i += 1
        norm += 1
    table.append(norm)
    return table


def _is_quote(name: str, folded_text: str) -> bool:
    """Is a selection's name a quote of its source (found anywhere in the text, whitespace and
    case aside, a trailing ellipsis allowed) rather than a label such as ``Quotation 3:10``?

    >>> _is_quote("I stop and  wonder", "parent: i stop and wonder.")
    True
    >>> _is_quote("Quotation 3:10", "parent: i stop and wonder.")
    False
    """
    needle = squeeze_whitespace(name).casefold()
    for ellipsis in ("...", "…"):
        if needle.endswith(ellipsis):
            needle = needle[: -len(ellipsis)].rstrip()
    return bool(needle) and needle in folded_text


def _span_problem(table: list[int], start: int, end: int) -> str | None:
    """Why ``[start, end)`` is no span under an offset table (None when it is one)."""
    if start < 0 or end < 0:
        return NEGATIVE
    if end < start:
        return REVERSED
    if end == start:
        return EMPTY
    if end >= len(table):
        return PAST_END
    if table[start] < 0 or table[end] < 0:
        return SPLIT_CHARACTER
    return None


def choose_convention(
    raw: str, had_bom: bool, items: list[tuple[str, int, int]], declared: str | None
) -> tuple[OffsetConvention, dict[OffsetConvention, int], dict[OffsetConvention, list[int]]]:
    """The offset convention of one source, from its selections ``(name, start, end)``.

    Each candidate (code points or UTF-16 units; CRLF as two or one; BOM counted or not, where
    the text has such characters) scores, per selection, :data:`FULL_SCORE` when its slice
    reproduces its name; for an unnamed one, 2 when it cuts no word, plus 1 for each end on a
    token (not starting or ending with whitespace); 0 otherwise. The highest total wins; ties go
    to the declared unit, then CRLF as two, BOM not counted, code points. Returns the choice,
    every candidate's score and every candidate's offset table.
    """
    units = [CODE_POINTS] + ([UTF16_UNITS] if any(ord(c) > 0xFFFF for c in raw) else [])
    crlfs = [CRLF_AS_TWO] + ([CRLF_AS_ONE] if "\r\n" in raw else [])
    boms = [False, True] if had_bom else [False]
    text = normalise_newlines(raw)
    candidates = [OffsetConvention(u, c, b) for u in units for c in crlfs for b in boms]
    tables = {conv: offset_table(raw, conv) for conv in candidates}
    scores = {}
    for conv in candidates:
        table, score = tables[conv], 0
        for name, start, end in items:
            if _span_problem(table, start, end):
                continue
            s, e = table[start], table[end]
            if name:
                score += FULL_SCORE if _name_matches(name, text[s:e]) else 0
            elif on_word_boundaries(text, s, e) and e > s:
                score += 2 + (not text[s].isspace()) + (not text[e - 1].isspace())
        scores[conv] = score

    def preference(conv: OffsetConvention):
        return (
            scores[conv],
            conv.unit == (declared or CODE_POINTS),
            conv.crlf == CRLF_AS_TWO,
            not conv.bom_counted,
            conv.unit == CODE_POINTS,
        )

    return max(candidates, key=preference), scores, tables


class _Refusals:
    """Selections refused, grouped by reason: one message per reason with a count and the
    first locations (source number and offsets; never text or names)."""

    SHOWN = 3

    def __init__(self) -> None:
        self.by_reason: dict[str, list[str]] = {}

    def add(self, reason: str, source_number: int, start, end) -> None:
        self.by_reason.setdefault(reason, []).append(f"source {source_number} at {start}..{end}")

    def problems(self, label: str, severity: str) -> list[InputProblem]:
        out = []
        for reason in REFUSAL_ORDER:
            where = self.by_reason.get(reason)
            if not where:
                continue
            first = "; ".join(where[: self.SHOWN]) + ("; ..." if len(where) > self.SHOWN else "")
            out.append(InputProblem(
                label, None, "PlainTextSelection", None,
                f"{REFUSAL_EXPECTED[reason]}; {len(where)} selection(s) {reason} and are not "
                f"used (first: {first})",
                severity,
            ))
        return out


def _read_selections(
    element,
    raw: str,
    had_bom: bool,
    source: Source,
    number: int,
    code_guids: set[str],
    declared: str | None,
    project: QdaProject,
    refusals: _Refusals,
) -> list[Selection]:
    """Slice, verify and merge the coded selections of one source (the ``number``-th)."""
    one = source.text
    folded_text = squeeze_whitespace(one).casefold()
    labels = 0
    items = []
    for sel in _children(element, "PlainTextSelection"):
        guid = _guid(sel.get("guid"))
        codes = []
        for coding in _children(sel, "Coding"):
            ref = _child(coding, "CodeRef")
            target = _guid(ref.get("targetGUID")) if ref is not None else ""
            if target not in code_guids:
                refusals.add(UNKNOWN_CODE, number, sel.get("startPosition"),
                             sel.get("endPosition"))
                continue
            codes.append(target)
        if not codes:
            continue  # an uncoded selection (allowed by the schema) carries no excerpt
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            refusals.add(NOT_INTEGER, number, sel.get("startPosition"), sel.get("endPosition"))
            continue
        name = (sel.get("name") or "").strip()
        if name and not _is_quote(name, folded_text):
            labels += 1
            name = ""  # a label (e.g. "Quotation 3:10"), not the selected text
        items.append((guid, name, start, end, codes))
    if not items:
        return []
    if labels:
        log.info("source %d: %d selection name(s) are labels, not quotes of the text: those "
                 "selections are checked by word boundaries only", number, labels)

    chosen, scores, tables = choose_convention(
        raw, had_bom, [(name, start, end) for _, name, start, end, _ in items], declared
    )
    table = tables[chosen]
    merged: dict[tuple[int, int], dict] = {}
    refused = 0
    for guid, name, start, end, codes in items:
        why = _span_problem(table, start, end)
        span = None if why else (table[start], table[end])
        convention = chosen
        if name and span and not _name_matches(name, one[span[0] : span[1]]):
            # the selection's own text decides for itself (another convention may fit it)
            span, why = None, TEXT_DIFFERS
            for other, other_table in tables.items():
                if other != chosen and not _span_problem(other_table, start, end):
                    s, e = other_table[start], other_table[end]
                    if _name_matches(name, one[s:e]):
                        span, why, convention = (s, e), None, other
                        break
        elif span and not name and not on_word_boundaries(one, *span):
            span, why = None, CUTS_WORD
        if why:
            refusals.add(why, number, start, end)
            refused += 1
            continue
        entry = merged.setdefault(span, {"guids": [], "codes": [], "convention": convention})
        entry["guids"].append(guid)
        for code in codes:
            if code not in entry["codes"]:
                entry["codes"].append(code)
    ranked = sorted(scores, key=lambda c: -scores[c])
    runner_up = next((c for c in ranked if c != chosen), None)
    choice = {
        "source": number,
        "origin_declares": declared or "",
        "unit": chosen.unit,
        "line_endings": (
            "no CRLF" if "\r\n" not in raw
            else "CRLF as 2" if chosen.crlf == CRLF_AS_TWO else "CRLF as 1"
        ),
        "bom": (
            "no BOM" if not had_bom
            else "BOM counted" if chosen.bom_counted else "BOM not counted"
        ),
        "selections": len(items),
        "used": len(items) - refused,
        "refused": refused,
        "evidence": (
            f"score {scores[chosen]} of {FULL_SCORE * len(items)}"
            + (f"; next best {runner_up.describe()}: {scores[runner_up]}" if runner_up else "")
        ),
    }
    project.offset_choices.append(choice)
    log.info(
        "source %d: offsets read as %s (%s%s; %d of %d selections used)",
        number, chosen.describe(), choice["evidence"],
        f"; origin declares {declared}" if declared else "", choice["used"], len(items),
    )
    out = []
    for (s, e), entry in sorted(merged.items()):
        out.append(
            Selection(
                guid=entry["guids"][0],
                source_guid=source.guid,
                start=s,
                end=e,
                text=one[s:e],
                code_guids=tuple(entry["codes"]),
                guids=tuple(entry["guids"]),
                convention=entry["convention"].crlf,
                unit=entry["convention"].unit,
            )
        )
    return out


def read_qdc(path: Path) -> list[Code]:
    """Read a REFI-QDA codebook (``.qdc``): the codes in document order with their paths.

    Raises :class:`parentgroup.problems.InputError` (one clear message) when the file is not a
    readable QDA-XML codebook.
    """
    from parentgroup.problems import InputError

    path = Path(path)
    try:
        root = ElementTree.fromstring(path.read_bytes())
    except (ElementTree.ParseError, OSError) as exc:
        raise InputError(
            [InputProblem(path.name, None, None, None, f"a readable QDA-XML codebook ({exc})")],
            "codebook",
        ) from None
    if _local(root.tag) != "CodeBook":
        raise InputError(
            [
                InputProblem(
                    path.name, None, None, _local(root.tag), "a QDA-XML <CodeBook> root element"
                )
            ],
            "codebook",
        )
    return _read_codes(_child(root, "Codes"))
