"""The leak check: an independent scanner for known identifiers in every shared output
(:func:`check_site`, :func:`check_pooled`). It shares no code with the redactor."""

from parentgroup.leak_check.scan import LeakFound, check_pooled, check_site

__all__ = ["LeakFound", "check_pooled", "check_site"]
