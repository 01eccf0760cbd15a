"""Indirect identifiers in quotes: what a redacted quote still tells a reader who knows the
school (the ICO's motivated intruder: other parents and staff).

A quote can be free of names and still point at one family: "she" tells the child's gender
(with twelve families, often enough to single one out), a rare diagnosis names a child, and a
club, a team, a church, an event or a place ties the quote to people who were there (UK Data
Service: "a distinctive event or combination of descriptions ... could make somebody
recognisable"). Such quotes are not redacted automatically (the meaning would go); each
quotable excerpt gets **one review item per kind of risk** (kinds: :data:`KINDS`), with the
terms found and their context, so a person decides before release.

The lexicon (:data:`LEXICON`) is a documented, deliberately broad word list per kind:

``child gender``  gendered pronouns and nouns (he, she, his, her, son, daughter, boy, girl ...)
                  when the quote speaks of a child (a ``[Child of Pxx]`` tag or a child word:
                  son, daughter, boy, girl, child, kid, lad, lass) or of nobody named, not when
                  its only named person is an adult (``[Teacher]``, ``[P03]``);
``diagnosis``     a condition from :data:`RARE_CONDITIONS` (rare in any school: Tourette's,
                  PDA, fragile X, cerebral palsy, epilepsy ...), or a diagnosis from the config's
                  ``anonymisation.diagnosis_categories`` whose category fewer than
                  ``k_anonymity`` children of the site have (rare *here*);
``club or team``  club, team, squad, league, scouts, brownies, cubs, cadets, choir ...;
``faith group``   church, chapel, mosque, synagogue, temple, gurdwara, parish ...;
``event``         wedding, funeral, christening, court, hearing, arrest, accident, festival,
                  tournament, competition, concert, nativity ...;
``place``         park, leisure centre, swimming pool, library, beach, estate, hospital,
                  clinic, street, road, and the names ``[Place]`` a reviewer redacted;
``uniqueness``    a phrase that sets one child apart in a small group (:data:`UNIQUENESS`):
                  "the only one / girl / autistic girl ... in her class / in Year 4 / at
                  [School]", "one of only two ... in the year": everyone in that class knows
                  who it is, even with no name and no rare diagnosis. The token is the phrase.

A reviewer settles an item with a decision on its token (the first term found) in
``review_decisions.csv`` like any other item: ``keep`` (the quote may be published as it is) or
``redact`` (the term is replaced, e.g. ``she`` -> ``[they]``).
"""

from __future__ import annotations

import re

from parentgroup.spelling import fold

KINDS = ("child gender", "diagnosis", "club or team", "faith group", "event", "place",
         "uniqueness")
#: Conditions rare enough in a school that naming one may single a child out.
RARE_CONDITIONS = (
    "tourette", "tourettes", "tourette's", "pda", "pathological demand avoidance",
    "demand avoidance", "fragile x", "down syndrome", "down's syndrome", "cerebral palsy",
    "epilepsy", "epileptic", "fasd", "foetal alcohol", "fetal alcohol", "selective mutism",
    "dyspraxia", "prader-willi", "williams syndrome", "angelman", "rett", "muscular dystrophy",
    "spina bifida", "cystic fibrosis", "diabetes", "diabetic", "ocd", "ptsd", "anorexia",
    "bulimia", "eating disorder", "psychosis", "bipolar", "schizophrenia", "deaf", "blind",
    "visual impairment", "hearing impairment", "wheelchair", "tube fed", "brain injury",
    "leukaemia", "cancer", "heart condition", "sickle cell", "global developmental delay",
    "chromosome", "chromosomal", "22q", "genetic condition", "rare condition",
)
LEXICON: dict[str, tuple[str, ...]] = {
    "child gender": ("he", "him", "his", "himself", "she", "her", "hers", "herself", "son",
                     "daughter", "boy", "girl", "lad", "lass", "stepson", "stepdaughter"),
    "club or team": ("club", "clubs", "team", "teams", "squad", "league", "scouts", "scout",
                     "brownies", "cubs", "guides", "beavers", "cadets", "choir",
                     "orchestra", "football", "rugby", "netball", "boxing", "karate", "judo",
                     "gymnastics", "dance class", "swimming lessons", "youth club",
                     "youth group"),
    "faith group": ("church", "chapel", "mosque", "synagogue", "temple", "gurdwara", "parish",
                    "congregation", "madrasa", "sunday school", "vicar", "imam", "rabbi",
                    "priest"),
    "event": ("wedding", "funeral", "christening", "baptism", "bar mitzvah", "bat mitzvah",
              "court", "tribunal", "arrested", "arrest", "police", "prison",
              "accident", "fire", "festival", "carnival", "fete", "tournament", "competition",
              "concert", "nativity", "panto", "prom", "school trip", "residential",
              "exclusion hearing", "court hearing", "birthday party"),
    "place": ("park", "leisure centre", "swimming pool", "pool", "library", "beach", "estate",
              "hospital", "clinic", "a&e", "street", "road", "high street", "shopping centre",
              "market", "farm", "[place]"),
}
#: Where a child is "the only" one of a kind: a class, year group, school or other small place.
_SMALL_PLACE = (r"(?:class(?:es|room)?|year(?:\s+group|\s+\d+)?|form|reception|nursery|"
                r"school|playground|group|unit|street|road|estate|village|town|area|club|"
                r"team|church|mosque|\[(?:school|town|place)\])")
#: "the only (girl / one / autistic boy / child with X ...) in her class / at [School]", "one of
#: only two (children ...) in the year".
UNIQUENESS = re.compile(
    r"\b(?:the\s+(?:one\s+and\s+)?only|only\s+(?:one|child|kid|girl|boy|pupil|student)|"
    r"one\s+of\s+(?:only|just)\s+(?:two|three|four|a\s+few|a\s+handful|\d+))\b"
    r"(?:\s+[^\s.!?;]+){0,8}?\s+(?:in|at|from|on|of)\s+"
    r"(?:(?:his|her|their|the|my|our|this|that|a|whole)\s+){0,2}" + _SMALL_PLACE + r"(?!\w)",
    re.IGNORECASE)
CHILD_WORDS = re.compile(r"\[child of [^\]]+\]|\b(?:son|daughter|boy|girl|child|kid|lad|lass)\b",
                         re.I)
ADULT_TAG = re.compile(r"\[(?!child of|sibling of|person known to|name\?)[^\]]+\]", re.I)
CONTEXT = 40


def _terms_regex(terms: tuple[str, ...] | list[str]) -> re.Pattern | None:
    terms = sorted({fold(t) for t in terms if t.strip()}, key=lambda t: (-len(t), t))
    if not terms:
        return None
    body = "|".join(re.escape(t).replace(r"\ ", r"[\s\-]+") for t in terms)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.I)


class QuoteRisks:
    """The per-site risk lexicon: the fixed lists plus the site's rare diagnoses.

    ``diagnosis_categories``: the config's ``diagnosis -> category``; ``category_counts``: how
    many children of the site have each category; ``k``: the site's ``k_anonymity``. A
    diagnosis of a category fewer than ``k`` children have is rare here, and so is every
    roster diagnosis the config does not map (``unmapped_diagnoses``: it is released as
    ``other``, but a quote naming it names the child).
    """

    def __init__(self, diagnosis_categories: dict[str, str] | None = None,
                 category_counts: dict[str, int] | None = None, k: int = 3,
                 unmapped_diagnoses: list[str] | tuple[str, ...] = ()):
        counts = category_counts or {}
        rare_here = [d for d, c in sorted((diagnosis_categories or {}).items())
                     if counts.get(c, 0) < k]
        rare_here += [d for d in unmapped_diagnoses if len(d.strip()) >= 3]
        self.patterns = {kind: _terms_regex(LEXICON[kind]) for kind in LEXICON}
        self.patterns["diagnosis"] = _terms_regex([*RARE_CONDITIONS, *rare_here])
        self.patterns["uniqueness"] = UNIQUENESS

    def items(self, text: str, file_label: str) -> list[dict]:
        """One review item per kind of risk found in the (redacted, quotable) ``text``.

        >>> risks = QuoteRisks({"autism": "neurodevelopmental", "odd": "conduct"},
        ...                    {"neurodevelopmental": 9, "conduct": 1}, k=3)
        >>> [(i["kind"], i["token"]) for i in risks.items(
        ...     "My daughter has ODD and goes to Brownies at the church.", "row 2")]
        [('child gender', 'daughter'), ('diagnosis', 'ODD'), ('club or team', 'Brownies'), \
('faith group', 'church')]
        >>> risks.items("[Teacher] shared her own mistakes with her kids.", "row 3")
        []
        >>> [(i["kind"], i["token"]) for i in risks.items(
        ...     "[Child of P02] is the only autistic one in Year 4 at [School].", "row 4")]
        [('uniqueness', 'the only autistic one in Year 4')]
        """
        found = []
        for kind in KINDS:
            pattern = self.patterns.get(kind)
            if pattern is None:
                continue
            matches = list(pattern.finditer(text))
            if not matches:
                continue
            if kind == "child gender" and not CHILD_WORDS.search(text) \
                    and ADULT_TAG.search(text):
                continue  # the pronouns are an adult's: a named member of staff or a parent
            first = matches[0]
            terms = sorted({m.group().casefold() for m in matches})
            context = re.sub(r"\s+", " ", text[max(0, first.start() - CONTEXT):
                                                first.end() + CONTEXT]).strip()
            found.append({"file": file_label, "offset": first.start(), "token": first.group(),
                          "kind": kind, "context": f"{context} (terms: {', '.join(terms)})",
                          "status": "unreviewed"})
        return found
