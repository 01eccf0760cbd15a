"""Stage 1, validate: reading and checking a site's raw input files.

Every reader returns ``(data, problems)`` where ``problems`` is a list of
:class:`parentgroup.problems.InputProblem`; it never raises on bad data, so that
:func:`validate_site` can report every problem in every file at once. :func:`read_site` reads a
whole site folder (the anonymise stage reads it the same way).
"""

from parentgroup.inputs.site import read_site
from parentgroup.inputs.validate import validate_site

__all__ = ["read_site", "validate_site"]
