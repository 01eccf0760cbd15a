"""Stage 2: anonymisation and disclosure control (ICO pseudonymisation guidance, UK Data
Service practice for qualitative data). The leak check that verifies it is a separate,
independent module (``parentgroup.leak_check``)."""

from parentgroup.anonymisation.redaction import Redactor
from parentgroup.anonymisation.site import anonymise_site

__all__ = ["Redactor", "anonymise_site"]
