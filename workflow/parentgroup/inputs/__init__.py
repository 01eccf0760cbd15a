"""Stage 1: reading and validating a site's raw input files.

Every reader returns ``(data, problems)`` where ``problems`` is a list of
:class:`parentgroup.problems.InputProblem`; it never raises on bad data, so that
``validate_inputs`` can report every problem in every file at once.
"""
