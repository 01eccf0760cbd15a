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
- the source folder may be ``Sources/`` (NVivo) as well as ``sources/``;
- source text is UTF-8 with or without a byte-order mark (NVivo, QualCoder);
- Windows line endings: NVivo and most tools count CRLF as two characters, ATLAS.ti as one.
  Each selection is sliced under both conventions and the one that reproduces its ``@name``
  (ATLAS.ti stores the quote there) is used; for unnamed selections the convention that puts
  the source's selections on word boundaries is used. A selection that fits neither is
  reported, never used;
- NVivo writes one unnamed selection per coding: selections are merged by span
  ``(source, start, end)`` and their codes combined;
- ``isCodable`` is not trusted as a folder flag (MAXQDA marks category codes codable): every
  code keeps its full path of names and callers decide what a parent means;
- nameless ``Case`` elements (MAXQDA, Quirkos variable carriers) are ignored; a named case with
  a ``SourceRef`` names the person a source belongs to.

All offsets returned here refer to the source text with line endings normalised to ``\\n``.
Problems are collected in :attr:`QdaProject.problems`; nothing is raised on bad data.
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


@dataclass
class QdaProject:
    """What a ``.qdpx`` holds that the pipeline uses, plus every problem met reading it."""

    name: str = ""
    origin: str = ""
    codes: list[Code] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

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


def decode_source_bytes(raw: bytes) -> tuple[str, bool]:
    """Decode a source file: UTF-8 with or without BOM; Windows-1252 as a fallback.

    Returns ``(text, was_utf8)``; line endings are left as they are (offsets may count them).
    """
    try:
        return raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), False


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
    """Find a member by path, case-insensitively, also under ``sources/``/``Sources/``."""
    wanted = wanted.lstrip("/")
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

    Returns a :class:`QdaProject`; every problem (unreadable archive, missing source text, a
    selection that matches its text under neither line-ending convention) is in
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
        names = [n for n in archive.namelist() if not n.endswith("/")]
        qde, why = _choose_qde(names)
        if qde is None:
            project.problems.append(InputProblem(label, None, None, None, why))
            return project
        try:
            root = ElementTree.fromstring(archive.read(qde))
        except ElementTree.ParseError as exc:
            project.problems.append(
                InputProblem(label, None, None, None, f"well-formed XML in {qde} ({exc})")
            )
            return project

        def read_member(member: str) -> bytes | None:
            found = _archive_member(names, member)
            return None if found is None else archive.read(found)

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
    whole_source_codings = 0
    for element in _children(sources, "TextSource") if sources is not None else []:
        guid = _guid(element.get("guid"))
        name = (element.get("name") or "").strip()
        raw = _source_text(element, guid, label, project, read_member, base_path, archive_dir)
        whole_source_codings += len(_children(element, "Coding"))
        if raw is None:
            continue
        source = Source(guid, name, normalise_newlines(raw), case_of_source.get(guid, ""))
        project.sources.append(source)
        project.selections += _read_selections(element, raw, source, code_guids, label, project)
    if whole_source_codings:
        log.info(
            "%s: %d whole-source coding(s) ignored (not excerpts)", label, whole_source_codings
        )


def _source_text(element, guid, label, project, read_member, base_path, archive_dir) -> str | None:
    inline = _child(element, "PlainTextContent")
    if inline is not None and inline.text is not None:
        return inline.text
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
    text, utf8 = decode_source_bytes(raw)
    if not utf8:
        project.problems.append(
            InputProblem(
                label, None, where, None, "UTF-8 source text (read as Windows-1252)", WARNING
            )
        )
    return text


def _read_selections(
    element, raw: str, source: Source, code_guids: set[str], label: str, project: QdaProject
) -> list[Selection]:
    """Slice, verify and merge the selections of one source."""
    crs = _crlf_positions(raw)
    two = raw  # CRLF counted as two characters
    one = source.text  # CRLF counted as one
    items = []
    for sel in _children(element, "PlainTextSelection"):
        guid = _guid(sel.get("guid"))
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            project.problems.append(
                InputProblem(
                    label, None, f"selection {guid}", None, "integer startPosition and endPosition"
                )
            )
            continue
        codes = []
        for coding in _children(sel, "Coding"):
            ref = _child(coding, "CodeRef")
            target = _guid(ref.get("targetGUID")) if ref is not None else ""
            if target not in code_guids:
                project.problems.append(
                    InputProblem(
                        label,
                        None,
                        f"selection {guid}",
                        target or None,
                        "a CodeRef naming a code of the project's codebook",
                    )
                )
                continue
            codes.append(target)
        if not codes:
            continue  # an uncoded selection (allowed by the schema) carries no excerpt
        items.append((guid, (sel.get("name") or "").strip(), start, end, codes))

    def candidate(convention: str, start: int, end: int) -> tuple[int, int] | None:
        """The span in normalised-text coordinates under a convention, None if out of range."""
        text = two if convention == CRLF_AS_TWO else one
        if not 0 <= start < end <= len(text):
            return None
        if convention == CRLF_AS_TWO:
            return crlf_two_to_one(start, crs), crlf_two_to_one(end, crs)
        return start, end

    conventions = [CRLF_AS_TWO, CRLF_AS_ONE] if crs else [CRLF_AS_TWO]
    # For unnamed spans: the convention that puts most of the source's unnamed spans on words.
    unnamed_score = {}
    for convention in conventions:
        score = 0
        for _, name, start, end, _ in items:
            span = candidate(convention, start, end)
            if not name and span and on_word_boundaries(one, *span):
                score += 1
        unnamed_score[convention] = score
    unnamed_convention = max(conventions, key=lambda c: (unnamed_score[c], c == CRLF_AS_TWO))

    merged: dict[tuple[int, int], dict] = {}
    for guid, name, start, end, codes in items:
        where = f"selection {guid}"
        chosen = None
        if name:
            for convention in conventions:
                span = candidate(convention, start, end)
                if span and _name_matches(name, one[span[0] : span[1]]):
                    chosen = (convention, span)
                    break
            if chosen is None:
                project.problems.append(
                    InputProblem(
                        label,
                        None,
                        where,
                        name,
                        f"the selection's text (its name) at {start}..{end} of its source "
                        "(counting CRLF as two or as one character); the excerpt does not "
                        "match the source text and is not used",
                        ERROR,
                        sensitive=True,
                    )
                )
                continue
        else:
            span = candidate(unnamed_convention, start, end)
            if span is None or not on_word_boundaries(one, *span):
                project.problems.append(
                    InputProblem(
                        label,
                        None,
                        where,
                        f"{start}..{end}",
                        "a selection inside its source text that starts and ends on word "
                        "boundaries (counting CRLF as two or as one character); the excerpt "
                        "cannot be verified and is not used",
                    )
                )
                continue
            chosen = (unnamed_convention, span)
        convention, (s, e) = chosen
        entry = merged.setdefault((s, e), {"guids": [], "codes": [], "convention": convention})
        entry["guids"].append(guid)
        for code in codes:
            if code not in entry["codes"]:
                entry["codes"].append(code)
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
                convention=entry["convention"],
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
