"""Snakemake's workflow report (``make report``): its own fixed text told apart from the study's.

``snakemake --report`` writes one HTML file that inlines the site reports and figures, the
rules' code and params, and Snakemake's own assets: JavaScript libraries (vega, react, ...) and
their licence texts (JSON-escaped), shipped in ``snakemake/assets/data``. Those assets contain
ordinary-word names and people's names in copyright lines ("May" in a month list, "Paul" and
"James" in licences) that are not the study's data. Every verbatim occurrence of an installed
asset file (raw, or as a JSON string) is blanked - replaced by spaces of the same length, so
offsets stay file offsets - before the scan; everything else in the file is scanned as any
shared output is.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path


@functools.cache
def snakemake_asset_texts() -> tuple[str, ...]:
    """The text forms of every installed Snakemake report asset, longest first."""
    spec = importlib.util.find_spec("snakemake")
    if spec is None or not spec.submodule_search_locations:
        return ()
    root = Path(next(iter(spec.submodule_search_locations))) / "assets" / "data"
    forms: set[str] = set()
    for path in sorted(root.rglob("*")) if root.is_dir() else []:
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if len(text) < 200:  # too short to be told apart from the study's own text
            continue
        forms |= {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    return tuple(sorted(forms, key=lambda t: (-len(t), t)))


def blank_snakemake_assets(text: str) -> str:
    """``text`` with every occurrence of an installed Snakemake asset replaced by spaces.

    >>> forms = snakemake_asset_texts()
    >>> blank_snakemake_assets("a " + forms[0] + " b") == "a " + " " * len(forms[0]) + " b"
    True
    """
    for form in snakemake_asset_texts():
        start = text.find(form)
        while start >= 0:
            text = text[:start] + " " * len(form) + text[start + len(form):]
            start = text.find(form, start + len(form))
    return text
