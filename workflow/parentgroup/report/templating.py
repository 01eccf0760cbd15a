"""The report's fixed prose: Jinja2 templates in ``templates/``, rendered with the numbers that
:mod:`parentgroup.report.sections` computes (showyourwork's split: Python computes, templates
hold the words).

Templates are HTML with autoescaping on: a value from a table is escaped unless the Python side
passes it as :class:`markupsafe.Markup` (already-built HTML such as a formatted statistic with
italic symbols). Undefined names are errors, so a template and its caller cannot drift apart
silently. The nbconvert template that frames the whole page lives in ``templates/nbconvert``.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: Folder holding the nbconvert template of the report page, and its name.
NBCONVERT_TEMPLATES = TEMPLATES / "nbconvert"
NBCONVERT_TEMPLATE = "report"
#: The works the package's own text cites (one list for the report, the captions and the leak
#: check, which tells this fixed text apart from data-derived text).
REFERENCES = Path(__file__).resolve().parents[1] / "references.yaml"


@functools.lru_cache(maxsize=1)
def references() -> dict[str, dict[str, str]]:
    """The cited works by key: ``{"howard_1980": {"cite": "Howard, 1980", "reference": ...}}``."""
    entries = yaml.safe_load(REFERENCES.read_text(encoding="utf-8")) or []
    return {entry["key"]: entry for entry in entries}


def cite(*keys: str) -> str:
    """The in-text citation of one or more works, APA 7 without brackets.

    >>> cite("howard_1980"), cite("braun_clarke_2006", "braun_clarke_2022")
    ('Howard, 1980', 'Braun & Clarke, 2006; Braun & Clarke, 2022')

    An unknown key is a programming error (KeyError), so no citation lacks its reference entry.
    """
    known = references()
    return "; ".join(known[key]["cite"] for key in keys)


def reference_list(keys: list[str] | None = None) -> list[str]:
    """Full reference entries, sorted alphabetically (APA), of ``keys`` (default: all)."""
    known = references()
    chosen = known if keys is None else {k: known[k] for k in keys}
    return sorted((" ".join(e["reference"].split()) for e in chosen.values()), key=str.casefold)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The one Jinja2 environment of the report's prose templates."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.globals["cite"] = cite
    return env


def render(name: str, **context: Any) -> str:
    """Render ``templates/<name>`` with ``context``; the result is HTML (a plain ``str``).

    >>> render("not_stated.html.j2")
    '<span class="not-stated">not stated</span>'
    """
    text = environment().get_template(name).render(**context)
    return str(Markup(text.strip()))


def phrase(macro: str, **arguments: Any) -> str:
    """One phrase from ``templates/phrases.html.j2`` (a macro), as plain text.

    >>> phrase("change_words", verb="fell", size="large", towards="improvement")
    'fell, a large change in the direction of improvement'
    >>> phrase("sensitivity_change", label="A", kind="significance", alpha=".05",
    ...        stronger="x", p_stronger="p < .001", weaker="y", p_weaker="p = .2").count("<")
    1
    """
    module = environment().get_template("phrases.html.j2").module
    # the macro's output is autoescaped HTML; as plain text it is escaped once, where it is shown
    return html.unescape(str(getattr(module, macro)(**arguments)).strip())


@functools.lru_cache(maxsize=1)
def stylesheet() -> str:
    """The report's stylesheet (screen, phone and print), inlined into every page."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")
