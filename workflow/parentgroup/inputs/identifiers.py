"""A site's identifiers file: the staff, school and town names the roster does not hold.

``<data_dir>/identifiers.yaml`` (config ``sites.<site>.identifiers_file``; schema
``workflow/schemas/identifiers.schema.yaml``)::

    staff: {"Jo Bloggs": Teacher, "Sam Smith": SENCo}
    school: ["Hillside Academy", "Hillside"]
    town: ["Newtown"]
    leak_allow_list: []          # reviewed strings the leak check may ignore

These names are identifiers like the roster's, so they live with the raw data and reach the
anonymise and leak-check jobs as an input file, never through the config or a rule's params
(which Snakemake prints when they change and records in ``.snakemake/`` and its reports).
Problems name the file and the key but never echo a name.

Every site has the file, and states all three kinds: a site whose interviews name no member of
staff, no school and no town writes ``staff: {}``, ``school: []``, ``town: []``. A missing or
empty file, or a missing kind, stops the run at validation: without the file the processed
transcripts would keep those names, and the leak check could not find names it does not know.
"""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

import parentgroup
from parentgroup.inputs.csv_files import load_table_schema
from parentgroup.problems import ERROR, InputProblem

KINDS = ("staff", "school", "town", "leak_allow_list")


def empty_identifiers() -> dict:
    """The identifiers of a site that names none."""
    return {"staff": {}, "school": [], "town": [], "leak_allow_list": []}


#: The kinds a site must state, each possibly empty: a site whose interviews name no member of
#: staff, school or town says so (``staff: {}``, ``school: []``, ``town: []``).
REQUIRED_KINDS = ("staff", "school", "town")

#: What the file must hold, and how a site with no such names says so.
WHAT_IT_HOLDS = (
    "the names the roster does not hold, which interviews mention: staff: {name: role}, "
    "school: [every form of its name], town: [...]. They are redacted everywhere and searched "
    "for by the leak check; without them the processed transcripts keep those names. A site "
    "whose interviews name none states so with empty entries: staff: {}, school: [], town: [] "
    "(README: 'Bring your own data')"
)


def read_identifiers(path: Path | None) -> tuple[dict, list[InputProblem]]:
    """The site's identifiers (every kind present, empty where not given) and the problems.

    ``path`` None reads as no names and no problem (the leak check of a file the run does not
    have). A file that does not exist, is empty, or leaves out one of ``staff``, ``school`` and
    ``town`` is an error: without the file the names are neither redacted nor searched for, so
    a site with no such names says so explicitly with empty entries. An unreadable file or a
    value of the wrong shape is an error naming the key, never the value.
    """
    identifiers = empty_identifiers()
    if path is None:
        return identifiers, []
    path = Path(path)
    label = path.name
    if not path.is_file():
        return identifiers, [InputProblem(
            label, None, None, None,
            f"a file {label} in the site's data_dir (it does not exist) with {WHAT_IT_HOLDS}",
        )]
    try:
        data = parentgroup.read_yaml(path)
    except Exception as error:  # yaml.YAMLError, UnicodeDecodeError
        mark = getattr(error, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        return identifiers, [InputProblem(
            label, row, None, None, f"valid YAML ({type(error).__name__})", sensitive=True,
        )]
    if data is None:
        return identifiers, [InputProblem(
            label, None, None, None, f"{WHAT_IT_HOLDS} (the file is empty)")]
    problems = []
    validator = Draft202012Validator(load_table_schema("identifiers"))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        if error.validator == "required":
            continue  # a missing kind: its own message below
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        if error.validator == "additionalProperties":
            allowed = ", ".join(KINDS)
            problems.append(InputProblem(
                label, None, key, None, f"only the keys {allowed}", sensitive=True))
        else:
            problems.append(InputProblem(
                label, None, key, None, _expected(error.schema), sensitive=True))
    if isinstance(data, dict):
        for kind in REQUIRED_KINDS:
            if kind not in data:
                empty = "{}" if kind == "staff" else "[]"
                problems.append(InputProblem(
                    label, None, kind, None,
                    f"a key {kind}: the {_KIND_WORDS[kind]}, or {kind}: {empty} when the "
                    "interviews name none (every site states staff, school and town, so that "
                    "no name is left out by accident)",
                ))
    if any(p.severity == ERROR for p in problems):
        return identifiers, problems
    for kind in KINDS:
        if kind in data:
            identifiers[kind] = data[kind]
    return identifiers, problems


_KIND_WORDS = {
    "staff": "staff the interviews may name (name: role)",
    "school": "forms of the school's name",
    "town": "town and place names",
}


def _expected(schema: dict) -> str:
    kind = schema.get("type")
    if kind == "object":
        return "a mapping of name -> role"
    if kind == "array":
        return "a list of names"
    if kind == "string":
        return "a non-empty name"
    return schema.get("description", "a value of the documented shape")
