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
  (:func:`parentgroup.inputs.csv_files.decode_bytes`, as every reader);
- ``@name`` of a selection is the quote (ATLAS.ti, QualCoder), the quote cut short (ATLAS.ti
  names a quotation by its first ~40 characters, with or without an ellipsis), or a label
  (``Quotation 3:10``). A name that occurs nowhere in the source is a label and is not
  compared; a quote matches when it equals the selected text, a cut one when the selected text
  starts with it and it has at least :data:`MIN_NAME_PREFIX` characters (:func:`_name_matches`);
- the unit of ``startPosition``/``endPosition``: the standard says Unicode code points, but
  NVivo counts UTF-16 code units (an emoji or any character beyond U+FFFF is two), so every
  selection after one is shifted by one per such character; Windows line endings: NVivo and
  most tools count CRLF as two characters, ATLAS.ti as one; a byte-order mark is normally not
  counted. The convention is decided **per source** (:func:`choose_convention`): the one under
  which the most selections reproduce their own name (where there is one) and fall on token
  boundaries (no word cut, no leading or trailing space); on a tie, the one under which more
  selections fit whole (both ends on tokens), then the unit and the line endings the
  exporting tool is known to use (the project's ``origin``, or config
  ``coding.origin`` when the project names no tool the reader knows: NVivo UTF-16 and CRLF as
  two, ATLAS.ti code points and CRLF as one, MAXQDA, QualCoder, Quirkos and Taguette code
  points). When readings still tie, a selection they place differently is refused as
  ambiguous, never guessed, and the message asks for the exporting tool; the readings agree on
  every other selection. The choice and its evidence are in :attr:`QdaProject.offset_choices`
  (no text, no names) and the log;
- a selection that cannot be used is refused for its true reason (negative, reversed or empty
  offsets, past the end of its source, inside a character, cutting a word, text differing from
  its name, ambiguous offsets, no coding of a known code), one message per reason with the
  number of selections lost and the first locations; the run goes on without them unless none
  of the project's codings survive. Each refused selection is also in
  :attr:`QdaProject.refused` (source, offsets, reason; no text), from which the coding reader
  records the exclusions of the participant flow. A coding of a code missing from the codebook
  is dropped on its own; its selection is kept when it has another coding;
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

from parentgroup.inputs.csv_files import TextEncodingError, decode_bytes
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
#: The fewest characters (whitespace squeezed, an ellipsis aside) of a selection name that
#: validates a longer selection as its beginning. ATLAS.ti names a quotation by its first ~40
#: characters; 20 characters are about four words, while a shorter name ("It was", "I") starts
#: too many passages to say where a selection lies. A shorter name must equal the text.
MIN_NAME_PREFIX = 20

# Why a selection is refused (each completes "N selection(s) ... and are not used").
NEGATIVE = "have a negative offset"
REVERSED = "end before they start"
EMPTY = "are empty (start equals end)"
PAST_END = "end past the end of their source text"
SPLIT_CHARACTER = "start or end inside a character (half of a UTF-16 surrogate pair)"
CUTS_WORD = "start or end inside a word"
TEXT_DIFFERS = "do not reproduce their own text (name) at their offsets"
NOT_INTEGER = "have offsets that are not whole numbers"
UNKNOWN_CODE = "have no coding of a code in the codebook"
AMBIGUOUS = "fit two ways of counting offsets equally well"
REFUSAL_ORDER = (NOT_INTEGER, NEGATIVE, REVERSED, EMPTY, PAST_END, SPLIT_CHARACTER, CUTS_WORD,
                 TEXT_DIFFERS, AMBIGUOUS, UNKNOWN_CODE)
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
    AMBIGUOUS: "offsets that one way of counting explains best",
}
#: How to settle ambiguous offsets: when the origin names no known tool, and when it does.
NAME_THE_TOOL = ("the project's origin names no tool whose counting is known: set config "
                 "coding.origin to the tool that exported the project (e.g. 'NVivo 14', "
                 "'ATLAS.ti 24', 'MAXQDA 2022')")
TOOL_KNOWN = ("what the exporting tool is known to count does not settle it: export the "
              "project again, or check these selections in the QDA tool")
#: The reason recorded in input_exclusions.csv for a selection refused for each reason.
EXCLUSION_REASONS = {
    NOT_INTEGER: "coded selection left out: its offsets are not whole numbers",
    NEGATIVE: "coded selection left out: a negative offset",
    REVERSED: "coded selection left out: it ends before it starts",
    EMPTY: "coded selection left out: it is empty",
    PAST_END: "coded selection left out: it ends past the end of its source text",
    SPLIT_CHARACTER: "coded selection left out: it starts or ends inside a character",
    CUTS_WORD: "coded selection left out: it starts or ends inside a word",
    TEXT_DIFFERS: "coded selection left out: its text differs from its name",
    AMBIGUOUS: "coded selection left out: its offsets fit two ways of counting",
    UNKNOWN_CODE: "coded selection left out: no code of the codebook",
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


@dataclass(frozen=True)
class RefusedSelection:
    """A coded selection that is not used: where it is and why (never its text or name).

    ``start``/``end`` are the offsets as written in the project (text when they are not whole
    numbers); ``reason`` is one of :data:`REFUSAL_ORDER`.
    """

    source_guid: str
    source_number: int
    selection_guid: str
    start: int | str | None
    end: int | str | None
    reason: str

    @property
    def where(self) -> str:
        """``source N at start..end`` (the location used in messages and exclusions)."""
        return f"source {self.source_number} at {self.start}..{self.end}"


@dataclass
class QdaProject:
    """What a ``.qdpx`` holds that the pipeline uses, plus every problem met reading it."""

    name: str = ""
    origin: str = ""
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    #: every coded selection of a readable text source that is not used, in document order
    refused: list[RefusedSelection] = field(default_factory=list)
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

    Equal text always matches. A name cut short matches when the slice starts with it and it
    has at least :data:`MIN_NAME_PREFIX` characters, whether or not it ends in an ellipsis
    (``…`` or ``...``, not counted): ATLAS.ti names a quotation by its first ~40 characters
    without one. The name says nothing of the slice's end, and squeezing ignores whitespace at
    the slice's ends: the caller checks the ends (:func:`_selection_outcome`).

    >>> _name_matches("It was the first place where I did no", "It was the first place\\n"
    ...               "where I did not feel judged.")
    True
    >>> _name_matches("It was", "It was the first place"), _name_matches("It was…", "It was")
    (False, False)
    """
    name_n, slice_n = squeeze_whitespace(name), squeeze_whitespace(sliced)
    if name_n == slice_n:
        return True
    for ellipsis in ("...", "…"):
        if name_n.endswith(ellipsis):
            name_n = name_n[: -len(ellipsis)].rstrip()
            break
    return len(name_n) >= MIN_NAME_PREFIX and slice_n.startswith(name_n)


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


def read_qdpx(path: Path, origin: str = "") -> QdaProject:
    """Read a REFI-QDA project archive: codes, text sources and verified, merged selections.

    ``origin`` names the tool that exported the project (config ``coding.origin``); it is used
    only when the project's own ``origin`` names no tool whose offset counting is known.

    Returns a :class:`QdaProject`; every problem (unreadable archive, undecodable or missing
    source text, each kind of refused selection) is in ``project.problems`` with the archive's
    file name, never raised; every refused selection is in ``project.refused``.
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

        _read_project(root, project, label, read_member, path.parent, origin)
    return project


def _read_project(root, project: QdaProject, label: str, read_member, archive_dir: Path,
                  origin: str = "") -> None:
    if _local(root.tag) != "Project":
        project.problems.append(
            InputProblem(label, None, None, _local(root.tag), "a QDA-XML <Project> root element")
        )
        return
    project.name = root.get("name", "")
    project.origin = root.get("origin", "")
    tool = project.origin
    if declared_unit(tool) is None and declared_unit(origin) is not None:
        log.info("%s: the project's origin %r names no known tool; offsets are read as %s "
                 "exports them (config coding.origin)", label, project.origin, origin)
        tool = origin
    declared = Declared(declared_unit(tool), declared_crlf(tool))
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
    refusals.tool_known = declared != Declared()
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
    project.refused = refusals.in_document_order()
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
        text, encoding, had_bom = decode_bytes(raw, label)
    except TextEncodingError as exc:
        on_line = f" on line {exc.line}" if exc.line else ""
        project.problems.append(InputProblem(
            label, None, where, None,
            f"source text in UTF-8 (the standard's encoding), or UTF-16 or UTF-32 with a "
            f"byte-order mark; found {exc.found}{on_line}; its selections cannot be read",
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


@dataclass(frozen=True)
class Declared:
    """What the exporting tool is known to count (None: not known)."""

    unit: str | None = None
    crlf: str | None = None


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


def declared_crlf(origin: str) -> str | None:
    """How the exporting tool counts a Windows line ending (CRLF), from the project's
    ``origin``: ATLAS.ti as one character, NVivo as two (reference notes, section 2.5, after
    QualCoder's importer); None for other or unknown tools.

    >>> declared_crlf("ATLAS.ti 24") == CRLF_AS_ONE, declared_crlf("NVivo 14") == CRLF_AS_TWO
    (True, True)
    >>> declared_crlf("MAXQDA 2022") is None
    True
    """
    origin = (origin or "").casefold()
    if "atlas" in origin:
        return CRLF_AS_ONE
    if "nvivo" in origin:
        return CRLF_AS_TWO
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
    if table[end] == table[start]:
        return EMPTY  # e.g. only the LF of a CRLF counted as two, or only a counted BOM
    return None


#: One selection read under one convention: its span (None when refused), the reason it is
#: refused (None when used) and its evidence score (0 to FULL_SCORE).
Outcome = tuple[tuple[int, int] | None, str | None, int]


def _selection_outcome(text: str, table: list[int], name: str, start: int, end: int) -> Outcome:
    """Read one selection under one offset table: refused when no span, when it has a name
    (the quote) that its text does not reproduce, or when it cuts a word; otherwise used, with
    the score 2, plus 1 for each end on a token (not on whitespace).

    >>> text = "Parent: I stop and wonder."
    >>> table = list(range(len(text) + 1))
    >>> _selection_outcome(text, table, "I stop and wonder", 8, 25)
    ((8, 25), None, 4)
    >>> _selection_outcome(text, table, "I stop and wonder", 7, 25)  # a leading space
    ((7, 25), None, 3)
    >>> _selection_outcome(text, table, "", 11, 25)
    (None, 'start or end inside a word', 0)
    """
    why = _span_problem(table, start, end)
    if why:
        return None, why, 0
    s, e = table[start], table[end]
    if name and not _name_matches(name, text[s:e]):
        return None, TEXT_DIFFERS, 0
    if not on_word_boundaries(text, s, e):
        return None, CUTS_WORD, 0
    return (s, e), None, 2 + (not text[s].isspace()) + (not text[e - 1].isspace())


def _default_order(conv: OffsetConvention) -> tuple[bool, bool, bool]:
    """Among readings that fit equally well and place every selection alike, the one named:
    CRLF as two, BOM not counted, code points (the choice then changes no excerpt)."""
    return (conv.crlf == CRLF_AS_TWO, not conv.bom_counted, conv.unit == CODE_POINTS)


def choose_convention(
    raw: str, had_bom: bool, items: list[tuple[str, int, int]], declared: Declared | str | None
) -> tuple[OffsetConvention, list[OffsetConvention], dict[OffsetConvention, int],
           dict[OffsetConvention, list[Outcome]]]:
    """The offset convention of one source, from its selections ``(name, start, end)``.

    Each candidate (code points or UTF-16 units; CRLF as two or one; BOM counted or not, where
    the text has such characters) reads every selection (:func:`_selection_outcome`): a used
    selection scores 2, plus 1 for each end on a token, up to :data:`FULL_SCORE`; a refused one
    (no span, a name its text does not reproduce, a word cut) 0. The highest total wins; a tie
    goes to the reading with more selections that fit whole (both ends on tokens), then to the
    unit, then the line endings, the exporting tool is known to use (``declared``, from the
    project's origin). Readings still tied are all returned: a selection they place
    differently is ambiguous (the caller refuses it); where they agree, the first by
    :func:`_default_order` is named.

    Returns the chosen convention, the tied conventions (the chosen first), every candidate's
    score and every candidate's outcome per selection.
    """
    if not isinstance(declared, Declared):
        declared = Declared(declared)
    units = [CODE_POINTS] + ([UTF16_UNITS] if any(ord(c) > 0xFFFF for c in raw) else [])
    crlfs = [CRLF_AS_TWO] + ([CRLF_AS_ONE] if "\r\n" in raw else [])
    boms = [False, True] if had_bom else [False]
    text = normalise_newlines(raw)
    candidates = [OffsetConvention(u, c, b) for u in units for c in crlfs for b in boms]
    outcomes = {}
    for conv in candidates:
        table = offset_table(raw, conv)
        outcomes[conv] = [_selection_outcome(text, table, name, start, end)
                          for name, start, end in items]
    scores = {conv: sum(score for _, _, score in outcomes[conv]) for conv in candidates}
    whole = {conv: sum(score == FULL_SCORE for _, _, score in outcomes[conv])
             for conv in candidates}

    def evidence(conv: OffsetConvention):
        return (
            scores[conv],
            whole[conv],
            declared.unit is not None and conv.unit == declared.unit,
            declared.crlf is not None and conv.crlf == declared.crlf,
        )

    best = max(evidence(conv) for conv in candidates)
    tied = sorted((c for c in candidates if evidence(c) == best), key=_default_order,
                  reverse=True)
    return tied[0], tied, scores, outcomes


class _Refusals:
    """Selections refused, grouped by reason: one message per reason with a count and the
    first locations (source number and offsets; never text or names). Also the codings of
    unknown codes, which are dropped on their own."""

    SHOWN = 3

    def __init__(self) -> None:
        self.by_reason: dict[str, list[str]] = {}
        #: (source number, position in the source, refused selection)
        self.entries: list[tuple[int, int, RefusedSelection]] = []
        #: the readings that tied, per ambiguous source ("code points or UTF-16 code units")
        self.ambiguities: list[str] = []
        #: codings of codes missing from the codebook: on kept selections, on refused ones
        self.unknown_codings = {"kept": 0, "refused": 0}
        self.unknown_where: list[str] = []
        #: whether the exporting tool's counting is known (project origin or config)
        self.tool_known = False

    def add(self, reason: str, source_number: int, start, end, *, source_guid: str = "",
            selection_guid: str = "", index: int = 0) -> None:
        refused = RefusedSelection(source_guid, source_number, selection_guid, start, end,
                                   reason)
        self.by_reason.setdefault(reason, []).append(refused.where)
        self.entries.append((source_number, index, refused))

    def in_document_order(self) -> list[RefusedSelection]:
        return [refused for *_, refused in sorted(self.entries, key=lambda e: e[:2])]

    def unknown_coding(self, count: int, kept: bool, source_number: int, start, end) -> None:
        self.unknown_codings["kept" if kept else "refused"] += count
        self.unknown_where.append(f"source {source_number} at {start}..{end}")

    def _first(self, where: list[str]) -> str:
        return "; ".join(where[: self.SHOWN]) + ("; ..." if len(where) > self.SHOWN else "")

    def problems(self, label: str, severity: str) -> list[InputProblem]:
        out = []
        for reason in REFUSAL_ORDER:
            where = self.by_reason.get(reason)
            if not where:
                continue
            how = remedy = ""
            if reason == AMBIGUOUS:
                how = f" ({'; '.join(sorted(set(self.ambiguities)))})"
                remedy = f"; {TOOL_KNOWN if self.tool_known else NAME_THE_TOOL}"
            out.append(InputProblem(
                label, None, "PlainTextSelection", None,
                f"{REFUSAL_EXPECTED[reason]}; {len(where)} selection(s) {reason}{how} and are "
                f"not used (first: {self._first(where)}){remedy}",
                severity,
            ))
        kept, lost = self.unknown_codings["kept"], self.unknown_codings["refused"]
        if kept + lost:
            out.append(InputProblem(
                label, None, "Coding", None,
                f"{REFUSAL_EXPECTED[UNKNOWN_CODE]}; {kept + lost} coding(s) refer to a code "
                f"missing from the codebook and are not used; {kept} of them on selection(s) "
                f"that keep their other codes, {lost} on selection(s) with no other code "
                f"(first: {self._first(self.unknown_where)})",
                severity,
            ))
        return out


def _ambiguity(tied: list[OffsetConvention], readings: set[OffsetConvention]) -> str:
    """What the tied readings of a source differ in, e.g. ``code points or UTF-16 code units``."""
    parts = []
    if len({c.unit for c in readings}) > 1:
        parts.append(f"{CODE_POINTS} or {UTF16_UNITS}")
    if len({c.crlf for c in readings}) > 1:
        parts.append("CRLF as one or two characters")
    if len({c.bom_counted for c in readings}) > 1:
        parts.append("BOM counted or not")
    return ", ".join(parts) or " or ".join(c.describe() for c in tied)


def _read_selections(
    element,
    raw: str,
    had_bom: bool,
    source: Source,
    number: int,
    code_guids: set[str],
    declared: Declared,
    project: QdaProject,
    refusals: _Refusals,
) -> list[Selection]:
    """Slice, verify and merge the coded selections of one source (the ``number``-th).

    A selection is used when every reading of the source's offsets that fits best
    (:func:`choose_convention`) places it at the same span; when those readings place it
    differently it is refused as :data:`AMBIGUOUS`; when they all refuse it, a selection whose
    name is its whole quote may still be placed by another reading under which it equals its
    name on word boundaries (the selection's own text decides), else it is refused for the
    reason of the chosen reading.
    """
    one = source.text
    folded_text = squeeze_whitespace(one).casefold()
    labels = 0
    items = []
    for index, sel in enumerate(_children(element, "PlainTextSelection")):
        guid = _guid(sel.get("guid"))
        raw_start, raw_end = sel.get("startPosition"), sel.get("endPosition")
        codings = _children(sel, "Coding")
        if not codings:
            continue  # an uncoded selection (allowed by the schema) carries no excerpt
        codes, unknown = [], 0
        for coding in codings:
            ref = _child(coding, "CodeRef")
            target = _guid(ref.get("targetGUID")) if ref is not None else ""
            if target not in code_guids:
                unknown += 1
            elif target not in codes:
                codes.append(target)
        if unknown:
            refusals.unknown_coding(unknown, bool(codes), number, raw_start, raw_end)
        if not codes:
            refusals.add(UNKNOWN_CODE, number, raw_start, raw_end, source_guid=source.guid,
                         selection_guid=guid, index=index)
            continue
        try:
            start, end = int(raw_start), int(raw_end)
        except (TypeError, ValueError):
            refusals.add(NOT_INTEGER, number, raw_start, raw_end, source_guid=source.guid,
                         selection_guid=guid, index=index)
            continue
        name = (sel.get("name") or "").strip()
        if name and not _is_quote(name, folded_text):
            labels += 1
            name = ""  # a label (e.g. "Quotation 3:10"), not the selected text
        items.append((index, guid, name, start, end, codes))
    if not items:
        return []
    if labels:
        log.info("source %d: %d selection name(s) are labels, not quotes of the text: those "
                 "selections are checked by word boundaries only", number, labels)

    chosen, tied, scores, outcomes = choose_convention(
        raw, had_bom, [(name, start, end) for _, _, name, start, end, _ in items], declared
    )
    fallback = sorted(scores, key=lambda c: (scores[c], *_default_order(c)), reverse=True)
    merged: dict[tuple[int, int], dict] = {}
    refused = 0
    ambiguous: set[OffsetConvention] = set()
    for i, (index, guid, name, start, end, codes) in enumerate(items):
        readings = {conv: outcomes[conv][i] for conv in tied}
        spans = {outcome[0] for outcome in readings.values()}
        span, why, _ = readings[chosen]
        convention = chosen
        if len(spans) > 1 and spans != {None}:
            # equally good readings place it differently (or one refuses it): never guessed
            span, why = None, AMBIGUOUS
            ambiguous.update(readings)
        elif span is None and name:
            # refused by every best reading: a name that is the whole quote (it fixes both
            # ends, a name cut short only the start) decides for itself
            for other in fallback:
                found = outcomes[other][i][0]
                if found and squeeze_whitespace(one[found[0] : found[1]]) == \
                        squeeze_whitespace(name):
                    span, why, convention = found, None, other
                    break
        if why:
            refusals.add(why, number, start, end, source_guid=source.guid, selection_guid=guid,
                         index=index)
            refused += 1
            continue
        entry = merged.setdefault(span, {"guids": [], "codes": [], "convention": convention})
        entry["guids"].append(guid)
        for code in codes:
            if code not in entry["codes"]:
                entry["codes"].append(code)
    if ambiguous:
        refusals.ambiguities.append(_ambiguity(tied, ambiguous))
    ranked = sorted(scores, key=lambda c: -scores[c])
    runner_up = next((c for c in ranked if c != chosen), None)

    def shown(value: str, values: set[str]) -> str:
        ordered = sorted(values, key=lambda v: (v != CODE_POINTS, v))  # code points first
        return f"ambiguous: {' or '.join(ordered)}" if len(values) > 1 else value

    choice = {
        "source": number,
        "origin_declares": declared.unit or "",
        "unit": shown(chosen.unit, {c.unit for c in ambiguous}),
        "line_endings": (
            "no CRLF" if "\r\n" not in raw
            else shown("CRLF as 2" if chosen.crlf == CRLF_AS_TWO else "CRLF as 1",
                       {"CRLF as 2" if c.crlf == CRLF_AS_TWO else "CRLF as 1"
                        for c in ambiguous})
        ),
        "bom": (
            "no BOM" if not had_bom
            else shown("BOM counted" if chosen.bom_counted else "BOM not counted",
                       {"BOM counted" if c.bom_counted else "BOM not counted"
                        for c in ambiguous})
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
        "source %d: offsets read as %s (%s%s; %d of %d selections used%s)",
        number, chosen.describe(), choice["evidence"],
        f"; origin declares {declared.unit}" if declared.unit else "", choice["used"],
        len(items), f"; readings tie: {_ambiguity(tied, ambiguous)}" if ambiguous else "",
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
