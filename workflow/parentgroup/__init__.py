"""parentgroup: a reproducible mixed-methods evaluation of school-based parent learning groups.

Stages (a later stage may import an earlier one, never the reverse):
inputs -> anonymisation -> scoring -> analysis -> figures -> integration -> report; leak_check is
independent of all of them.
"""

__version__ = "0.1.0"
