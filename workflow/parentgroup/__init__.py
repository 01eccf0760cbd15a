"""parentgroup: a reproducible mixed-methods evaluation of school-based parent learning groups.

Stages (a later stage may import an earlier one, never the reverse):
inputs -> anonymisation -> scoring -> analysis -> figures -> integration -> report; leak_check is
independent of all of them.
"""

__version__ = "0.1.0"


def read_yaml(path):
    """A YAML file's content, parsed by libyaml when PyYAML was built with it (the pure-Python
    parser is ten times slower, and the config schema and instrument files are read at every
    Snakemake start); the same objects and the same ``yaml.YAMLError`` marks either way."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - a safe loader
