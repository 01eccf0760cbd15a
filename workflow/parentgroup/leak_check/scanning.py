"""Scanning: every file under the roots, each of its views searched; the hits.

Each file is read in its :mod:`views`; each view's text is searched by the
:class:`~parentgroup.leak_check.matching._Matcher`; an allow-listed phrase, a longer match and
a checksum (digit needles only) cover a match. Files are scanned serially or by forked workers
(the same hits either way).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as _field
from pathlib import Path

from parentgroup.leak_check.citations import citation_spans, could_be_cited
from parentgroup.leak_check.matching import (
    _allowed_spans,
    _checksum_spans,
    _Matcher,
    fold,
)
from parentgroup.leak_check.needles import Needle
from parentgroup.leak_check.views import _View, file_views
from parentgroup.workers import forked_map


@dataclass(frozen=True)
class LeakHit:
    """Where an identifier was found: never the identifier itself."""

    participant: str
    field: str
    file: str
    offset: int
    view: str
    #: the file's real path (never shown: a file name may be the identifier), for moving it
    path: str = _field(default="", compare=False, repr=False)

    def safe_line(self) -> str:
        return (
            f"LEAK: {self.participant}, field {self.field}, in {self.file} at offset "
            f"{self.offset} ({self.view} view)"
        )



def _scan_view(view: _View, matcher: _Matcher, allow: Sequence[str]) -> list[tuple[Needle, int]]:
    matches = matcher.find(view.text)
    if not matches:
        return []
    matches.sort(key=lambda m: (m[0].start, -(m[0].end - m[0].start)))
    spans = _allowed_spans(view.text, allow) if allow else []  # source offsets
    checksums: list[tuple[int, int]] | None = None  # source offsets, found when first needed
    citations: list[tuple[int, int]] | None = None  # the same
    kept: list[tuple[Needle, int]] = []
    covered: list[tuple[int, int, str]] = []
    for match, normalised in matches:
        # offsets in the source view (the two normalised copies have different maps)
        origin = normalised.origin
        start = origin[match.start] if origin else match.start
        end = origin[match.end - 1] + 1 if origin else match.end
        if any(a <= start and end <= b and kind == match.view for a, b, kind in covered):
            continue  # inside a longer match (e.g. "jones" inside "smith-jones")
        if any(a <= start and end <= b for a, b in spans):
            continue
        if match.view == "digits":
            checksums = _checksum_spans(view.text) if checksums is None else checksums
            if any(a <= start and end <= b for a, b in checksums):
                continue
        elif could_be_cited(match.needle_text):
            citations = citation_spans(view.text) if citations is None else citations
            if any(a <= start and end <= b for a, b in citations):
                continue  # a cited author's surname inside a citation of a listed work
        covered.append((start, end, match.view))
        for needle in matcher.owners[(match.view, match.needle_text)]:
            kept.append((needle, view.source_offset(start)))
    return kept


def _files(roots: Iterable[Path], exclude: Iterable[Path]) -> list[Path]:
    skip = {Path(p).resolve() for p in exclude}
    files: set[Path] = set()
    for root in roots:
        root = Path(root)
        if root.is_file():
            files.add(root.resolve())
        elif root.is_dir():
            files |= {p.resolve() for p in root.rglob("*") if p.is_file()}
    return sorted(p for p in files if p not in skip)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def scan_paths(
    roots: list[Path],
    needles: list[Needle],
    exclude: Iterable[Path] = (),
    *,
    base: Path | None = None,
    allow_list: Iterable[str] = (),
    counts: dict[str, int] | None = None,
) -> list[LeakHit]:
    """Scan every file under ``roots`` (recursively) for the needles; return the hits, sorted.

    ``base`` (default: the working directory) is what file names are shown relative to;
    ``allow_list`` holds reviewed phrases inside which a match is ignored; ``counts``, when
    given, receives the number of files scanned per kind (suffix).
    """
    return _scan(roots, _Matcher(needles), exclude, base=base, allow_list=allow_list,
                 counts=counts)


def _folded_phrases(phrases: Iterable[str]) -> list[str]:
    """The allow-listed phrases in needle form (folded), empty ones dropped."""
    return sorted({folded for folded in map(fold, phrases) if folded})


#: What the forked scan workers share (set before the fork: the matcher is not pickled).
_SCAN: dict = {}


def _scan_file(path: Path) -> list[LeakHit]:
    """Every hit in one file (the matcher, allow list and base from :data:`_SCAN`)."""
    matcher, allow, base = _SCAN["matcher"], _SCAN["allow"], _SCAN["base"]
    relative = _relative(path, base)
    found = [(view.name, needle, offset) for view in file_views(path, relative)
             for needle, offset in _scan_view(view, matcher, allow)]
    shown = relative
    if any(name == "filename" for name, _, _ in found):
        shown = _withhold_path(relative, matcher, allow)
    # markup, attribute and office views report raw file offsets: the same occurrence seen
    # in several views is reported once, in the first view that found it
    seen: set[tuple[str, str, int]] = set()
    hits = []
    for name, needle, offset in found:
        raw_offset = name in ("text",) or "markup" in name
        key = (needle.participant, needle.field, offset)
        if raw_offset and key in seen:
            continue
        if raw_offset:
            seen.add(key)
        hits.append(LeakHit(needle.participant, needle.field, shown, offset, name, str(path)))
    return hits


def _scan(roots: list[Path], matcher: _Matcher, exclude: Iterable[Path] = (), *,
          base: Path | None = None, allow_list: Iterable[str] = (),
          counts: dict[str, int] | None = None, processes: int = 1) -> list[LeakHit]:
    """The hits of every file, scanned serially or by ``processes`` forked workers (the same
    hits either way: each file is scanned on its own and the hits are sorted)."""
    files = _files(roots, exclude)
    if counts is not None:
        for path in files:
            kind = path.suffix.casefold() or "(no suffix)"
            counts[kind] = counts.get(kind, 0) + 1
    _SCAN.update(matcher=matcher, allow=_folded_phrases(allow_list),
                 base=Path(base or Path.cwd()).resolve())
    try:
        # largest files first, one at a time, so that the workers finish together
        order = sorted(files, key=lambda p: -p.stat().st_size) if processes > 1 else files
        per_file = forked_map(_scan_file, order, processes)
    finally:
        _SCAN.clear()
    hits = {hit for found in per_file for hit in found}
    return sorted(hits, key=lambda h: (h.file, h.view, h.offset, h.participant, h.field))


def _withhold_path(relative: str, matcher: _Matcher, allow: Sequence[str]) -> str:
    """The path with every part that holds an identifier replaced by a placeholder."""
    parts = relative.split("/")
    shown = []
    for number, part in enumerate(parts):
        if _scan_view(_View("filename", part), matcher, allow):
            suffix = Path(part).suffix if number == len(parts) - 1 else ""
            shown.append(f"<name withheld>{suffix}")
        else:
            shown.append(part)
    return "/".join(shown)


