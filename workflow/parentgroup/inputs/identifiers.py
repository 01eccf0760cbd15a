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
"""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

import parentgroup
from parentgroup.inputs.csv_files import load_table_schema
from parentgroup.problems import ERROR, WARNING, InputProblem

KINDS = ("staff", "school", "town", "leak_allow_list")


def empty_identifiers() -> dict:
    """The identifiers of a site that names none."""
    return {"staff": {}, "school": [], "town": [], "leak_allow_list": []}


def read_identifiers(path: Path | None) -> tuple[dict, list[InputProblem]]:
    """The site's identifiers (every kind present, empty where not given) and the problems.

    A missing file is a warning (a site whose interviews name no member of staff, school or
    town has none; most sites have them); an unreadable file or a value of the wrong shape is
    an error naming the key, never the value.
    """
    identifiers = empty_identifiers()
    if path is None:
        return identifiers, []
    path = Path(path)
    label = path.name
    if not path.is_file():
        return identifiers, [InputProblem(
            label, None, None, None,
            "a file naming the staff, school and town of the site (staff: {name: role}, "
            "school: [...], town: [...]); without it those names are not redacted",
            severity=WARNING,
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
        return identifiers, []
    problems = []
    validator = Draft202012Validator(load_table_schema("identifiers"))
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        if error.validator == "additionalProperties":
            allowed = ", ".join(KINDS)
            problems.append(InputProblem(
                label, None, key, None, f"only the keys {allowed}", sensitive=True))
        else:
            problems.append(InputProblem(
                label, None, key, None, _expected(error.schema), sensitive=True))
    if any(p.severity == ERROR for p in problems):
        return identifiers, problems
    for kind in KINDS:
        if kind in data:
            identifiers[kind] = data[kind]
    return identifiers, problems


def _expected(schema: dict) -> str:
    kind = schema.get("type")
    if kind == "object":
        return "a mapping of name -> role"
    if kind == "array":
        return "a list of names"
    if kind == "string":
        return "a non-empty name"
    return schema.get("description", "a value of the documented shape")
