"""Stage 2: anonymisation and disclosure control (ICO pseudonymisation guidance, UK Data
Service practice for qualitative data, sdcMicro/ARX-style k-anonymity and l-diversity).

Modules: ``linkage`` (the random linkage key), ``lexicon`` (roster name variants),
``patterns`` (emails, phones, postcodes, dates, NHS numbers, URLs), ``redaction`` (the
:class:`Redactor`), ``disclosure`` (generalisation and suppression of the participant
characteristics), ``review`` (the "nums and caps" review list and the reviewers' decisions),
``evaluation`` (recall and precision on the gold set) and ``site`` (:func:`anonymise_site`, the
stage). The leak check that verifies the outputs is a separate, independent module
(``parentgroup.leak_check``) that shares no code with this one.
"""

from parentgroup.anonymisation.redaction import Redactor, Replacement
from parentgroup.anonymisation.site import anonymise_inputs, anonymise_site

__all__ = ["Redactor", "Replacement", "anonymise_inputs", "anonymise_site"]
