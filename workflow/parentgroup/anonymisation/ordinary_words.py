"""Names that are also ordinary English words (Hope, Grace, Will, May, Rose, Joy, Price ...):
is this occurrence the person or the word?

A roster name such as "Hope" cannot be redacted blindly (every "I hope it lasts" would become
a child's pseudonym, in every family's interview) nor kept blindly ("what's going on for hope"
would survive redaction). Each occurrence of a single-word variant listed in
:data:`ORDINARY_WORD_NAMES` gets one of three verdicts from :func:`classify`:

``name``   redacted (with the person's replacement) and listed on the review list;
``word``   kept, and listed on the review list with status ``kept: word`` so that no
           occurrence is ever kept silently (a reviewer can still redact it);
``unsure`` redacted with the neutral tag ``[Name?]`` (never with another family's code) and
           listed as ``unreviewed``: a person decides (``review_decisions.csv``) and a release
           run fails until they have.

The rule, in order (documented in README "Checking the anonymisation of your site"):

1. **Cues.** A *name cue* is a possessive (``hope's``), a kinship or role word or title before
   (``my daughter hope``, ``called may``, ``Mrs``), a coordinated roster name (``rose and
   Oskar``), or a person's action after (``hope said``, ``will kicks off``). A *word cue* is
   grammar only the word has: a determiner or possessive before (``a grace period``, ``the
   price``, ``my hope``); a subject pronoun before a verb or modal (``I hope``, ``it may``,
   ``we will``); a modal before a verb or subject (``will be``, ``may I``); a verb's complement
   after (``hope so``, ``hope you're``, ``hope that``); a month in date context (``in May``,
   ``May 2019``); a fixed phrase (``grace period``, ``free will``, ``the sun rose``).
2. **Verdict.** A name cue without a word cue: ``name``. A word cue without a name cue:
   ``word``. Both: ``unsure``. Neither: a capitalised word inside a sentence is a ``name``
   (``unsure`` in a fixed phrase: "we say Grace");
   at the start of a sentence it is a ``name`` in the interview of the person's own family (or
   for staff and places, whom every interviewee knows) and ``unsure`` elsewhere; a lower-case
   word is a ``name`` in the own family's interview only in a person's slot (after ``for``,
   ``with``, ``to``, ``about``, ``like``, ``and``, ``told`` ...: "what's going on for hope"),
   and ``unsure`` otherwise.
3. A ``name`` verdict for *another* family's person written in lower case or at the start of a
   sentence is redacted with that family's code but needs a reviewer's confirmation
   (``unreviewed``): the code of one family never enters another family's interview without a
   person seeing it, unless the name is capitalised inside a sentence.

Recall comes first: nothing ``unsure`` reaches a shared file unredacted. Precision is measured
on the decoys of the gold set (``benchmarks/redaction_recall.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Given names, nicknames and surnames that are also ordinary English words (hand-curated:
#: frequent UK given names and surnames that a dictionary lists as common nouns, verbs,
#: adjectives, months or seasons). A roster name not listed here is redacted in every case form.
ORDINARY_WORD_NAMES = frozenset(
    """amber angel april art ash august autumn baker bay bear bell belle berry bill bishop
    black blessing bliss bloom blue bob bonnie brook brooke brown bud buddy bush butler candy
    carol carter chance charity chase cherry chip clay cliff cook crystal daisy dale dawn day
    dean destiny diamond dot dove drew duke dusty ebony echo eden ember faith favour fern field
    fisher flora ford fox frank free gale gem gene ginger glen glory gold golden grace grant
    gray green grey guy hall harmony hart haven hazel heath heather hill holly honey honor honour
    hope hunt hunter iris ivy jack jade jasmine jay jewel joy june justice king lane lark laurel
    lavender liberty lily long love lucky marsh mark mason max may meadow melody mercy merry
    miles mill misty moon moss nova olive park pat patience peace pearl penny pepper pip piper
    poppy precious price prince queenie rain raven ray reed reign rich river rob robin rock
    rocky rod rose ruby rusty saffron sage sandy scout shepherd short sky skye small sonny star
    sterling stone storm story street strong sue summer sunny sunshine swift taylor trinity
    true trust turner violet wade walker ward white wild will willow win winter wise wood woods
    wren young""".split()
)
#: Word classes that give the grammar cues (a word may be in several).
MODALS = frozenset({"will", "may"})
MONTHS = frozenset({"april", "may", "june", "august"})
VERBS = frozenset({"hope", "trust", "mark", "rob", "pat", "sue", "bill", "grant", "chase",
                   "cook", "hunt", "love", "bear", "win", "park", "ward", "wade", "chip",
                   "jack", "star", "storm", "rain", "bloom", "grace", "reign"})
PAST_VERBS = frozenset({"rose", "drew"})

_WORD = r"[^\W\d_][\w'’-]*"
SUBJECT_PRONOUNS = (r"i|you|we|they|he|she|it|one|who|i'd|we'd|you'd|they'd|i'll|we'll|"
                    r"i’d|we’d|you’d|they’d|i’ll|we’ll")
_ADVERBS = (r"really|just|do|did|all|still|only|so|truly|certainly|probably|definitely|also|"
            r"always|never|sincerely|honestly|genuinely|personally|both|very|would|can|could|"
            r"should|must|might|had|have|'d|’d")
_SUBJECT_BEFORE = re.compile(rf"(?:^|[^\w'’])(?:{SUBJECT_PRONOUNS})(?:\s+(?:{_ADVERBS})){{0,2}}"
                             r"\s+$", re.I)
_MODAL_SUBJECT_BEFORE = re.compile(
    r"(?:^|[^\w'’])(?:i|you|we|they|he|she|it|one|who|that|this|there|which|what|things|"
    r"nothing|everything|something|anything|everyone|someone|anyone|people|parents|"
    r"everybody|somebody|that's|it's)(?:\s+(?:" + _ADVERBS + r")){0,2}\s+$", re.I)
_DETERMINER_BEFORE = re.compile(
    r"(?:^|[^\w'’])(?:a|an|the|this|that|these|those|some|any|no|every|each|much|more|most|"
    r"less|least|such|what|which|whose|my|your|his|her|its|our|their|own|last|next|whole|"
    r"real|great|good|new|big|false|free|ill|sheer|pure|full|of\s+the|of\s+a)\s+$", re.I)
_AFTER_MODAL = re.compile(
    r"\s+(?:be|have|not|never|always|probably|definitely|certainly|just|still|also|only|even|"
    r"really|get|go|come|do|make|take|see|say|tell|need|try|help|work|know|find|start|stop|"
    r"happen|change|feel|look|keep|run|give|want|ask|as|well|soon|last|carry|continue|"
    r"remember|think|mean|ever|you|i|we|they|he|she|it|there|this|that|the|a|an|your|my|"
    r"our|his|her|their|someone|anyone|everyone|people|parents|all|both|so)\b", re.I)
_VERB_COMPLEMENT_AFTER = re.compile(
    r"\s*(?:so\b|not\b|that\b|to\b|you\b|you['’]|it\b|it['’]|they\b|they['’]|he\b|he['’]|"
    r"she\b|she['’]|we\b|we['’]|i\b|i['’]|for\s+the\s+best|everything|this\b|things\b|"
    r"all\b|your\b|my\b|our\b|his\b|their\b|me\b|him\b|us\b|them\b|the\s+group)", re.I)
_EXISTENTIAL_BEFORE = re.compile(r"\bthere(?:\s+(?:is|was|'s|’s)|'s|’s)\s+(?:so\s+much\s+)?$",
                                 re.I)
_MONTH_BEFORE = re.compile(
    r"\b(?:in|since|until|till|by|before|after|early|late|mid|last|next|this|of|during|from|"
    r"through|around|end|start|beginning|each|every)[\s-]+$", re.I)
_MONTH_AFTER = re.compile(r"\s+(?:\d|the\s+\d|half[\s-]+term|holidays?)", re.I)
_PHRASES_AFTER = {
    "grace": r"\s+period", "will": r"\s*power", "summer": r"\s+(?:holidays?|term|camp|fair)",
    "winter": r"\s+(?:holidays?|coat)", "autumn": r"\s+(?:term|half)", "honey": r"\s+pot",
    "rose": r"\s+(?:up|to|again|early|above)", "joy": r"\s+of\b", "hope": r"\s+so\b",
}
_PHRASES_BEFORE = {
    "grace": r"(?:say|said|saving|with\s+good|state\s+of|fall\s+from|with)\s+$",
    "will": r"(?:free|good|ill|against\s+(?:my|his|her|their|your)|the|a|own)\s+$",
    "rose": r"(?:sun|moon|temperature|prices?|level|tension|voices?|anger|water)\s+$",
    "joy": r"(?:pride\s+and|jump\s+for|sheer|pure)\s+$",
    "faith": r"(?:leap\s+of|good|bad|lost|have|had)\s+$",
    "hope": r"(?:in\s+the|high|some|no|little|hoping\s+against|false|there\s+is|there's)\s+$",
}
_PAST_VERB_SUBJECT = re.compile(
    r"\b(?:the|a|an|my|his|her|its|our|their|this|that)\s+[a-z]+(?:\s+(?:in|of|at)\s+"
    r"(?:the|a|my|our|his|her|their)\s+[a-z]+)?\s+$")
NAME_CONTEXT_BEFORE = re.compile(
    r"\b(?:daughter|son|boy|girl|child|kid|sister|brother|sibling|partner|husband|wife|mum|"
    r"mom|mother|dad|father|nan|nanna|gran|grandma|grandad|friend|teacher|baby|called|named|"
    r"name's|name\s+is|mrs|mr|ms|miss|mx|dr|auntie|aunt|uncle|cousin|niece|nephew|stepson|"
    r"stepdaughter|little|our)\.?\s+$", re.I)
_POSSESSIVE_AFTER = re.compile(r"['’]s(?!\w)|s['’](?!\w)")
_PERSON_VERB_AFTER = re.compile(
    r"\s+(?:(?:always|never|just|still|often|really|sometimes|also|even|usually)\s+)?"
    r"(?:works|worked|wins|won|tries|tried|cares|cared|sat|sits|stood|stands|woke|wakes|"
    r"said|says|told|tells|asked|asks|shouted|shouts|screamed|screams|cried|cries|"
    r"laughed|laughs|smiled|smiles|kicked|kicks|hit|hits|threw|throws|ran|runs|came|comes|"
    r"went|goes|wants|wanted|loves|loved|hates|hated|likes|liked|gets|got|did|does|didn't|"
    r"doesn't|won't|can't|wouldn't|couldn't|calms|calmed|started|starts|thinks|thought|"
    r"knows|knew|needs|needed|feels|felt|plays|played|talks|talked|sleeps|slept|eats|ate|"
    r"moved|lives|lived|turned|turns|would|could|used|set|texted|rang|phoned|messaged|"
    r"helped|helps|explained|mentioned|suggested|noticed|and\s+(?:i|me)\b)\b", re.I)
_PERSON_SLOT_BEFORE = re.compile(
    r"(?:^|[^\w'’])(?:for|with|to|at|about|from|like|and|or|than|tell|told|ask|asked|help|"
    r"helped|call|called|watch|watching|take|took|pick|picked|bring|brought|see|saw|met|meet|"
    r"meeting|between|after|behind|beside|against|hug|hugged|love|hear|heard|listen\s+to|"
    r"wonder\s+about|worried\s+about|on\s+for)\s+$", re.I)
_COORDINATION_BEFORE = re.compile(rf"({_WORD})\s*(?:,|&|\band\b|\bor\b)\s*$")
_COORDINATION_AFTER = re.compile(rf"\s*(?:,|&|\band\b|\bor\b)\s*({_WORD})")


@dataclass(frozen=True)
class Usage:
    """The verdict on one occurrence (``name``, ``word`` or ``unsure``) and why, for the
    review list."""

    verdict: str
    reason: str


def case_form(matched: str) -> str:
    """``lower``, ``upper`` (two or more capitals, no lower case) or ``title``.

    >>> case_form("hope"), case_form("HOPE"), case_form("Hope")
    ('lower', 'upper', 'title')
    """
    letters = [c for c in matched if c.isalpha()]
    if all(c.islower() for c in letters):
        return "lower"
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "upper"
    return "title"


def name_cue(text: str, start: int, end: int, is_person) -> str:
    """Why the occurrence reads as a person ('' when nothing says so). ``is_person(word,
    capitalised_mid_sentence)`` tells whether a neighbouring word is a roster person."""
    before = text[max(0, start - 40):start]
    if _POSSESSIVE_AFTER.match(text, end):
        return "possessive"
    if NAME_CONTEXT_BEFORE.search(before):
        return "kinship or role word before"
    for pattern, where in ((_COORDINATION_BEFORE, "before"), (_COORDINATION_AFTER, "after")):
        found = pattern.search(before) if where == "before" else pattern.match(text, end)
        if found and is_person(found.group(1)):
            return "next to another roster name"
    if _PERSON_VERB_AFTER.match(text, end):
        return "a person's action after"
    return ""


def fixed_phrase(text: str, start: int, end: int, key: str) -> str:
    """``fixed phrase`` when the word stands in one of its set phrases ("grace period",
    "say grace", "free will", "the sun rose"), else ''."""
    before = text[max(0, start - 40):start]
    if key in _PHRASES_AFTER and re.match(_PHRASES_AFTER[key], text[end:end + 40], re.I):
        return "a fixed phrase"
    if key in _PHRASES_BEFORE and re.search(_PHRASES_BEFORE[key], before, re.I):
        return "a fixed phrase"
    return ""


def word_cue(text: str, start: int, end: int, key: str, initial: bool, form: str) -> str:
    """Why the occurrence reads as the ordinary word ('' when nothing says so)."""
    before = text[max(0, start - 60):start]
    after = text[end:end + 40]
    if key in MONTHS and (_MONTH_BEFORE.search(before) or _MONTH_AFTER.match(after)):
        return "a month in date context"
    if key in MODALS:
        clause_start = initial or re.search(r"(?:\b(?:and|but|or|so|then)|[,;:])\s*$", before,
                                            re.I)
        if clause_start and re.match(rf"\s+(?:{SUBJECT_PRONOUNS}|the|this|that|there|"
                                     r"someone|anyone|everyone|people|parents)\b", after, re.I):
            return "a modal before its subject"
        if form == "lower" and (_MODAL_SUBJECT_BEFORE.search(before) or _AFTER_MODAL.match(after)):
            return "a modal verb"
    if form != "lower":
        if initial and key in VERBS and _VERB_COMPLEMENT_AFTER.match(after):
            return "a verb and its complement"
        return ""
    phrase = fixed_phrase(text, start, end, key)
    if phrase:
        return phrase
    if _EXISTENTIAL_BEFORE.search(before):
        return "a noun after 'there is'"
    if _DETERMINER_BEFORE.search(before):
        return "a determiner before"
    if key in VERBS | PAST_VERBS and _SUBJECT_BEFORE.search(before):
        return "a subject before the verb"
    if key in VERBS and _VERB_COMPLEMENT_AFTER.match(after) and not _PERSON_SLOT_BEFORE.search(
            before):
        return "a verb and its complement"
    if key in PAST_VERBS and _PAST_VERB_SUBJECT.search(before):
        return "a subject before the verb"
    return ""


def classify(text: str, start: int, end: int, key: str, *, initial: bool, home: bool,
             is_person=lambda word: False) -> Usage:
    """The verdict on the ordinary-word name ``text[start:end]`` (folded form ``key``).

    ``initial``: the occurrence opens a sentence; ``home``: the name belongs to the
    interviewee's own family (or to staff or a place, whom everyone in the school knows).

    >>> t = "I wonder what is going on for hope. I hope it lasts. Hope is calmer."
    >>> [classify(t, m.start(), m.end(), "hope", initial=m.start() in (0, 53), home=True
    ...           ).verdict for m in re.finditer("(?i)hope", t)]
    ['name', 'word', 'name']
    >>> classify(t, 53, 57, "hope", initial=True, home=False).verdict
    'unsure'
    """
    matched = text[start:end]
    form = case_form(matched)
    person = name_cue(text, start, end, is_person)
    word = word_cue(text, start, end, key, initial, form)
    if person and word:
        return Usage("unsure", f"{person}, but {word}")
    if person:
        return Usage("name", person)
    if word:
        return Usage("word", word)
    if form != "lower":
        if not initial:
            phrase = fixed_phrase(text, start, end, key)
            if phrase:
                return Usage("unsure", f"capitalised inside a sentence, but {phrase}")
            return Usage("name", "capitalised inside a sentence")
        if home:
            return Usage("name", "capitalised at a sentence start, the interviewee's own family "
                         "or staff")
        return Usage("unsure", "capitalised at a sentence start, another family's name")
    before = text[max(0, start - 40):start]
    if home and _PERSON_SLOT_BEFORE.search(before):
        return Usage("name", "lower case in a person's slot, in the family's own interview")
    if home:
        return Usage("unsure", "lower case, in the family's own interview")
    return Usage("unsure", "lower case, another family's name")
