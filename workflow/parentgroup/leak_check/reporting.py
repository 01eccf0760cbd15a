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
           summary_path: Path, moved: Sequence[str] = (),
           quarantine: Path | None = None) -> int:
    """Write the summary (files scanned per kind, identifier forms searched, one safe line per
    hit, and the files ``moved`` into ``quarantine``); raise :class:`LeakFound` listing them
    when there are hits. Returns the number of files scanned."""
    scanned = sum(counts.values())
    header = [
        f"leak check: {scanned} files scanned under "
        f"{', '.join(Path(r).as_posix() for r in roots)}",
        "files per kind: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"),
        f"identifier forms searched: {needle_count} (from {rows} roster rows and the site "
        "identifiers)",
        f"hits: {len(hits)}",
    ]
    # the summary must pass the check itself: a line whose location text happens to contain an
    # identifier form is withheld
    allow_folded = _folded_phrases(allow)

    def safe(line: str, withheld: str) -> str:
        return withheld if _scan_view(_View("summary", line), matcher, allow_folded) else line

    lines = [safe(line, "(line withheld: it matches an identifier)") for line in header]
    lines += [safe(hit.safe_line(), f"LEAK: hit {number} (details withheld: the location "
                                    "itself matches an identifier)")
              for number, hit in enumerate(hits, start=1)]
    if moved:
        lines.append(safe(
            f"{len(moved)} flagged file(s) moved out of the shared folders into "
            f"{Path(quarantine).as_posix()}/ (the secure folder, never shared); the next run "
            "rebuilds them:",
            f"{len(moved)} flagged file(s) moved into the secure folder; the next run rebuilds "
            "them:"))
        lines += [safe(f"MOVED: {shown}", "MOVED: (path withheld: it matches an identifier)")
                  for shown in moved]
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
