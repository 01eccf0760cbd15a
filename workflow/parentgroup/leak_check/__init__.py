"""The leak check: an independent scanner for known identifiers in every shared output.

It shares no code and no patterns with the redactor (``parentgroup.anonymisation``). The
redactor finds and replaces identifiers in interview text; this module never redacts. It takes
every identifier the study knows (the raw roster's direct identifiers and ``record_id``, and the
site's staff, school and town names from the config), expands each into its *variants*, and
searches every variant as a substring of *normalised views* of every file the workflow wrote
outside ``data/raw/`` and the secure directory (UK Data Service / ICO guidance as summarised in
``shared/reference/anonymisation.md`` §6 point 6: independent scanner, substring search of every
roster value and variant, digits-only views for phones and dates, space-free postcodes, HTML
scanned raw and unescaped, never print the identifier).

The package, by concern: :mod:`~parentgroup.leak_check.needles` (what is searched for),
:mod:`~parentgroup.leak_check.views` (how each kind of output file is read),
:mod:`~parentgroup.leak_check.matching` (normalisation, word edges, the geometry and checksum
exceptions), :mod:`~parentgroup.leak_check.scanning` (walking the files, the hits) and
:mod:`~parentgroup.leak_check.reporting` (the summary and the failure message) and
:mod:`~parentgroup.leak_check.quarantine` (a failing check moves the files it flagged into the
secure folder), with two
narrow exceptions for fixed text the study did not write: :mod:`.citations` (a cited author's
surname inside a citation of a listed work) and :mod:`.workflow_report` (Snakemake's own assets
in ``make report``'s page). :mod:`.intruder` is the motivated-intruder check
(``benchmarks/motivated_intruder.py``); ``python -m parentgroup.leak_check`` checks the workflow
report. The entry functions :func:`check_site`, :func:`check_pooled` and
:func:`check_workflow_report` are here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from parentgroup.inputs.csv_files import read_csv_text
from parentgroup.inputs.identifiers import read_identifiers
from parentgroup.leak_check.matching import _Matcher
from parentgroup.leak_check.needles import Needle, build_needles
from parentgroup.leak_check.quarantine import quarantine as quarantine_files
from parentgroup.leak_check.reporting import LeakFound, report
from parentgroup.leak_check.scanning import _relative, _scan
from parentgroup.leak_check.workflow_report import blank_snakemake_assets
from parentgroup.problems import raise_if_errors

__all__ = ["LeakFound", "check_pooled", "check_site", "check_workflow_report"]


def _check(needles: list[Needle], *, allow: Sequence[str], rows: int, roots: list[Path],
           summary_path: Path, exclude: Iterable[Path], processes: int = 1,
           base: Path | None = None, quarantine: Path | None = None) -> int:
    counts: dict[str, int] = {}
    matcher = _Matcher(needles)
    hits = _scan(roots, matcher, exclude=[*exclude, summary_path], allow_list=allow,
                 counts=counts, processes=processes, base=base)
    # a file with an identifier must not stay among the shared outputs looking finished
    moved = (quarantine_files(hits, quarantine, roots=roots, base=base)
             if hits and quarantine is not None else [])
    if base is not None:  # roots shown as the hits' files are
        roots = [Path(_relative(Path(r).resolve(), Path(base).resolve())) for r in roots]
    return report(hits, counts=counts, roots=roots, needle_count=len(needles), rows=rows,
                  matcher=matcher, allow=allow, summary_path=summary_path, moved=moved,
                  quarantine=quarantine)


def _read_roster(path: Path) -> pd.DataFrame:
    return read_csv_text(Path(path))


def _read_identifiers(path: Path | None) -> dict:
    """The site's identifiers file; a file the validate stage would refuse stops the check."""
    identifiers, problems = read_identifiers(Path(path) if path else None)
    raise_if_errors(problems, "site identifiers file")
    return identifiers


def check_site(
    *,
    roster_path: Path,
    identifiers_path: Path | None,
    key_path: Path | None,
    direct_identifiers: Sequence[str],
    roots: list[Path],
    summary_path: Path,
    exclude: Iterable[Path] = (),
    processes: int = 1,
    quarantine: Path | None = None,
) -> int:
    """Scan a site's outputs; write the summary; raise :class:`LeakFound` on any hit.

    The roster is read as text; the site's identifiers file adds the staff, school and town
    names and the reviewed allow-list; the linkage key (``record_id, pseudonym``) names the
    participants when it exists. The summary lists the files scanned per kind, the number of
    hits and one safe line per hit. Returns the number of files scanned. With ``processes`` > 1
    the files are scanned by that many forked workers (the same summary). With a hit, every
    file that has one is moved into ``quarantine`` (the site's secure folder) when it is given
    (:mod:`.quarantine`), and the message lists them.
    """
    roster = _read_roster(Path(roster_path))
    identifiers = _read_identifiers(identifiers_path)
    key = _read_roster(Path(key_path)) if key_path and Path(key_path).exists() else None
    needles = build_needles(roster, identifiers, direct_identifiers, key)
    skip = [*exclude, Path(roster_path), *([Path(key_path)] if key_path else [])]
    return _check(needles, allow=identifiers["leak_allow_list"], rows=len(roster), roots=roots,
                  summary_path=summary_path, exclude=skip, processes=processes,
                  quarantine=quarantine)


def check_pooled(*, roster_paths: list[Path], identifiers_paths: list[Path | None],
                 key_paths: list[Path], sites: list[str], direct_identifiers: Sequence[str],
                 roots: list[Path], summary_path: Path, exclude: Iterable[Path] = (),
                 processes: int = 1, base: Path | None = None,
                 quarantine: Path | None = None) -> int:
    """The pooled outputs against every site's roster and site identifiers (as above);
    ``base`` (default: the working directory) is what file names are shown relative to."""
    needles: set[Needle] = set()
    allow: list[str] = []
    rows = 0
    for roster_path, identifiers_path, key_path, site in zip(
        roster_paths, identifiers_paths, key_paths, sites, strict=True
    ):
        roster = _read_roster(Path(roster_path))
        identifiers = _read_identifiers(identifiers_path)
        allow += identifiers["leak_allow_list"]
        key = _read_roster(Path(key_path)) if Path(key_path).exists() else None
        site_needles = build_needles(roster, identifiers, direct_identifiers, key)
        # two sites both have a P01: name the site too
        needles |= {Needle(f"{site} {n.participant}", n.field, n.text, n.view)
                    for n in site_needles}
        rows += len(roster)
    skip = [*exclude, *map(Path, roster_paths), *map(Path, key_paths)]
    return _check(sorted(needles, key=lambda n: (n.participant, n.field, n.view, n.text)),
                  allow=sorted(set(allow)), rows=rows, roots=roots, summary_path=summary_path,
                  exclude=skip, processes=processes, base=base, quarantine=quarantine)


def check_workflow_report(*, config: Mapping, report_path: Path, summary_path: Path) -> int:
    """Snakemake's own workflow report (``make report``) against every site's roster and site
    identifiers, as the pooled outputs are: it inlines each site's report, figures and the
    rules' code and params, so it is shared output too. Snakemake's own assets (JavaScript
    libraries and their licences) are blanked first (:mod:`.workflow_report`). ``config`` is the
    validated config (sites, their data_dir and identifiers_file, secure_dir,
    roster.direct_identifiers)."""
    report_path = Path(report_path)
    sites = sorted(config["sites"])
    identifiers = []
    for site in sites:
        name = config["sites"][site].get("identifiers_file")
        path = Path(config["sites"][site]["data_dir"]) / name if name else None
        identifiers.append(path if path is not None and path.is_file() else None)
    with tempfile.TemporaryDirectory(prefix="workflow-report-") as folder:
        # the same name and length: hits name the report's own file and offsets
        blanked = Path(folder) / report_path.name
        text = report_path.read_bytes().decode("utf-8", "surrogateescape")
        blanked.write_bytes(blank_snakemake_assets(text).encode("utf-8", "surrogateescape"))
        return check_pooled(
            roster_paths=[Path(config["sites"][s]["data_dir"]) / "roster.csv" for s in sites],
            identifiers_paths=identifiers,
            key_paths=[Path(config["secure_dir"]) / s / "linkage_key.csv" for s in sites],
            sites=sites, direct_identifiers=config["roster"]["direct_identifiers"],
            roots=[blanked], summary_path=Path(summary_path), base=Path(folder),
        )
