"""Interview transcripts: ``transcripts/<record_id>.txt`` or ``.docx`` (identifiable, raw only).

A ``.txt`` file is read as UTF-8 (with or without a byte-order mark) or UTF-16 with a
byte-order mark, falling back to Windows-1252 with a warning; CRLF and lone CR become ``\\n``.
A file none of these reads, or whose accents were garbled by an earlier second decoding, is an
error naming the file and the line (:func:`parentgroup.inputs.csv_files.decode_text`). A
``.docx`` file is read with python-docx, its paragraphs joined by a blank line (``"\\n\\n"``).
The file stem must be a roster ``record_id``: a transcript saved under a parent's name is an
error whose value is never echoed (the file name may itself be an identifier). Every problem
locates a transcript by its position in the folder sorted by name, never by its name (which is
a record id, an identifier the leak check searches every shared output for).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from parentgroup.formatting import ordinal
from parentgroup.inputs.csv_files import TextEncodingError, decode_text
from parentgroup.problems import ERROR, WARNING, InputProblem

log = logging.getLogger(__name__)

TRANSCRIPT_SUFFIXES = (".txt", ".docx")


def decode_transcript(raw: bytes, label: str = "transcript") -> tuple[str, str]:
    """Decode transcript bytes (:func:`parentgroup.inputs.csv_files.decode_text`): UTF-8 (BOM
    stripped), UTF-16 with a BOM, or Windows-1252; newlines to ``\\n``.

    Returns ``(text, encoding)``; raises :class:`~parentgroup.inputs.csv_files.TextEncodingError`
    for a file none of these reads safely.

    >>> decode_transcript(b"\\xef\\xbb\\xbfParent: yes\\r\\nInterviewer: ok\\r")
    ('Parent: yes\\nInterviewer: ok\\n', 'utf-8')
    """
    return decode_text(raw, label)


def _docx_blocks(container) -> list[str]:
    """The text blocks of a Word body or table cell in document order: each paragraph, and
    each table row as its cells joined by ``": "`` (a transcription service's "speaker | words"
    layout reads as "speaker: words"; a merged cell, which python-docx repeats, counts once;
    a table inside a cell is read too)."""
    from docx.table import Table  # python-docx

    blocks = []
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells, seen = [], set()
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    text = "\n".join(block for block in _docx_blocks(cell) if block.strip())
                    if text.strip():
                        cells.append(text)
                if cells:
                    blocks.append(": ".join(cells))
        else:
            blocks.append(item.text)
    return blocks


def read_docx_text(path: Path) -> str:
    """The text of a Word document, paragraphs and table rows in document order, joined by
    ``"\\n\\n"`` (newlines normalised). Transcripts laid out as a table (speaker | words), as
    transcription services deliver them, are read whole, not silently left out."""
    import docx  # python-docx

    document = docx.Document(str(path))
    blocks = [block.replace("\r\n", "\n").replace("\r", "\n")
              for block in _docx_blocks(document)]
    return "\n\n".join(blocks)


def read_transcripts(
    directory: Path, roster: pd.DataFrame
) -> tuple[dict[str, str], list[InputProblem]]:
    """Read every transcript in ``directory``: ``{record_id: text}`` and the problems found.

    A missing directory is allowed (a site without interviews): ``({}, [])``. Problems: a file
    whose stem is not a roster record_id (error, file name hidden), both ``.txt`` and ``.docx``
    for one record (error), an unreadable ``.docx`` (error), a non-UTF-8 ``.txt`` (warning, read
    as Windows-1252), an empty transcript (warning), another kind of file (warning, name hidden).
    """
    directory = Path(directory)
    folder = directory.name or "transcripts"
    if not directory.is_dir():
        log.info("no transcript folder %s: the site has no interviews", folder)
        return {}, []
    ids = [str(r).strip() for r in roster.get("record_id", pd.Series(dtype=str))]
    exact = set(ids)
    by_fold: dict[str, list[str]] = {}
    for rid in ids:
        by_fold.setdefault(rid.casefold(), []).append(rid)

    problems: list[InputProblem] = []
    found: dict[str, list[Path]] = {}
    files = [
        path for path in sorted(directory.iterdir(), key=lambda p: p.name)
        if not path.name.startswith((".", "~$")) and not path.is_dir()
    ]  # without hidden files, Word lock files and subfolders
    position_of = {path: position for position, path in enumerate(files, start=1)}

    def located(*paths: Path) -> str:
        """Where the files are, by their position in the folder listed by name (as a file
        manager sorts it): a file name is a record id or may be a parent's name, and the
        problem list and the log are shared outputs (the leak check searches them for both)."""
        places = " and ".join(ordinal(position_of[path]) for path in sorted(paths))
        return f"{folder}/ (the {places} of {len(files)} files, sorted by name)"

    for path in files:
        where = located(path)
        if path.suffix.casefold() not in TRANSCRIPT_SUFFIXES:
            problems.append(
                InputProblem(
                    where,
                    None,
                    "file name",
                    path.name,
                    "only <record_id>.txt or <record_id>.docx files (this file is ignored)",
                    WARNING,
                    sensitive=True,
                )
            )
            continue
        stem = path.stem.strip()
        record_id = stem if stem in exact else None
        if record_id is None and len(by_fold.get(stem.casefold(), [])) == 1:
            record_id = by_fold[stem.casefold()][0]
        if record_id is None:
            problems.append(
                InputProblem(
                    where,
                    None,
                    "file name",
                    path.name,
                    "transcript files named <record_id>.txt or <record_id>.docx with a "
                    "record_id from roster.csv (rename the file; never use a name)",
                    ERROR,
                    sensitive=True,
                )
            )
            continue
        found.setdefault(record_id, []).append(path)

    transcripts: dict[str, str] = {}
    for record_id in sorted(found):
        paths = found[record_id]
        label = located(*paths)
        if len(paths) > 1:
            kinds = ", ".join(sorted(p.suffix.casefold() for p in paths))
            problems.append(
                InputProblem(
                    label,
                    None,
                    None,
                    kinds,
                    "one transcript per record_id (found several files; keep only one)",
                )
            )
            continue
        path = paths[0]
        if path.suffix.casefold() == ".docx":
            try:
                text = read_docx_text(path)
            except Exception as exc:  # python-docx raises several kinds on a broken file
                problems.append(
                    InputProblem(
                        label,
                        None,
                        None,
                        None,
                        f"a Word .docx document that opens ({type(exc).__name__})",
                    )
                )
                continue
        else:
            try:
                text, encoding = decode_transcript(path.read_bytes(), label)
            except TextEncodingError as exc:
                line = "" if exc.line is None else f"line {exc.line}: "
                problems.append(InputProblem(label, None, None, None,
                                             f"{exc.expected} (found {line}{exc.found})"))
                continue
            if encoding == "cp1252":
                problems.append(
                    InputProblem(
                        label,
                        None,
                        None,
                        None,
                        "UTF-8 text (read as Windows-1252; save as UTF-8 to be sure)",
                        WARNING,
                    )
                )
        if not text.strip():
            problems.append(
                InputProblem(
                    label, None, None, None, "a transcript with text (file is empty)", WARNING
                )
            )
        transcripts[record_id] = text
    log.info("%d transcript(s) read from %s", len(transcripts), folder)
    return transcripts, problems
