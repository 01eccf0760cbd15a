"""Reporting: the ``leak_check.txt`` summary and the failure message.

A hit (:class:`~parentgroup.leak_check.scanning.LeakHit`) names the participant's pseudonym
(from the linkage key; ``roster row N`` - the CSV line - when there is no key; ``site`` for
staff, school and town), the field, the file, the character offset in the view (the raw file
offset for markup views) and the view - never the identifier. A file whose own path contains an
identifier is shown with the offending path parts withheld; a summary line whose location text
itself matches an identifier form is withheld too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from parentgroup.leak_check.matching import _Matcher
from parentgroup.leak_check.scanning import LeakHit, _folded_phrases, _scan_view
from parentgroup.leak_check.views import _View
from parentgroup.problems import UserFacingError

log = logging.getLogger(__name__)


class LeakFound(UserFacingError):
    """Identifiers were found in shared outputs; the message lists only safe locations."""


def format_hits(hits: Iterable[LeakHit]) -> str:
    """One safe line per hit: participant code, field, file, offset and view."""
    return "\n".join(hit.safe_line() for hit in hits)


def report(hits: Sequence[LeakHit], *, counts: dict[str, int], roots: Sequence[Path],
           needle_count: int, rows: int, matcher: _Matcher, allow: Sequence[str],
           summary_path: Path) -> int:
    """Write the summary (files scanned per kind, identifier forms searched, one safe line per
    hit); raise :class:`LeakFound` listing the hits when there are any. Returns the number of
    files scanned."""
    scanned = sum(counts.values())
    header = [
        f"leak check: {scanned} files scanned under "
        f"{', '.join(Path(r).as_posix() for r in roots)}",
        "files per kind: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"),
        f"identifier forms searched: {needle_count} (from {rows} roster rows and the site "
        "identifiers)",
        f"hits: {len(hits)}",
    ]
    lines = [*header, *(hit.safe_line() for hit in hits)]
    # the summary must pass the check itself: a line whose location text happens to contain an
    # identifier form is withheld
    allow_folded = _folded_phrases(allow)
    lines = [
        line if not _scan_view(_View("summary", line), matcher, allow_folded)
        else f"LEAK: hit {number} (details withheld: the location itself matches an identifier)"
        for number, line in enumerate(lines, start=1 - len(header))
    ]
    summary_path = Path(summary_path)
    summary_path.parent.mkdir(parents=True, exist_ok=True)
    summary_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if hits:
        raise LeakFound(
            f"{len(hits)} identifier occurrence(s) found in shared outputs; the run is stopped. "
            "Fix the redaction or the output (or add a reviewed entry to leak_allow_list in "
            "the site's identifiers file) and rerun:\n" + "\n".join(lines[len(header):])
        )
    log.info("%s; %s; no identifiers found", header[0], header[1])
    return scanned
