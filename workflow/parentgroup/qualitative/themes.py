"""Theme summaries of the reflexive thematic analysis: themes, presence per participant, quotes.

The themes themselves (names, central organising concepts, linked outcomes, fit, notes) are the
researchers' analytic output and come from ``config["themes"]``; this module only attaches the
coded data to them. Counts are descriptive context, never a measure of a theme's importance:
"the 'keyness' of a theme is not necessarily dependent on quantifiable measures"
(Braun & Clarke 2006, p. 82).
"""

from __future__ import annotations

import logging

import pandas as pd

from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

THEMES_COLUMNS = [
    "theme_id",
    "name",
    "central_organising_concept",
    "n_participants",
    "n_excerpts",
    "outcomes",
    "fit",
    "note",
]
PRESENCE_COLUMNS = ["pseudonym", "theme_id", "present", "n_excerpts"]
QUOTES_COLUMNS = ["theme_id", "pseudonym", "excerpt", "source", "start", "end", "code"]
QUOTE_MIN_WORDS = 15
QUOTE_MAX_WORDS = 60
#: Fit of integration labels (Fetters, Curry & Creswell 2013), plus "silence": one strand says
#: nothing about what the other found (O'Cathain, Murphy & Nicholl 2010, triangulation protocol).
FIT_LABELS = ("confirmation", "expansion", "discordance", "silence")
#: What a theme, or a theme-outcome link, without any coded excerpt at a site says.
SILENCE_META_INFERENCE = (
    "Silence: no parent's interview was coded to this theme at this site, so the outcome's "
    "result has no qualitative counterpart here."
)


def theme_links(theme: dict) -> list[dict]:
    """The theme-outcome links of one configured theme, each
    ``{outcome, fit, meta_inference, codes}``.

    ``outcomes`` may list outcome ids (the older form: every link inherits the theme's ``fit``
    and ``note``) or mappings ``{outcome, fit, meta_inference, codes}`` (a missing ``fit`` or
    ``meta_inference`` falls back to the theme's ``fit`` and ``note``; ``codes``, the codes
    whose excerpts illustrate the link, to none); the forms may be mixed.

    >>> theme_links({"outcomes": ["prfq_pm", {"outcome": "prfq_cms", "fit": "discordance",
    ...     "meta_inference": "Certainty fell.", "codes": ["not knowing"]}],
    ...     "fit": "confirmation", "note": "Both agree."})
    ... # doctest: +NORMALIZE_WHITESPACE
    [{'outcome': 'prfq_pm', 'fit': 'confirmation', 'meta_inference': 'Both agree.',
      'codes': []},
     {'outcome': 'prfq_cms', 'fit': 'discordance', 'meta_inference': 'Certainty fell.',
      'codes': ['not knowing']}]
    """
    links = []
    for entry in theme.get("outcomes") or []:
        link = dict(entry) if isinstance(entry, dict) else {"outcome": entry}
        links.append({
            "outcome": str(link.get("outcome", "")),
            "fit": str(link.get("fit") or theme.get("fit") or ""),
            "meta_inference": " ".join(
                str(link.get("meta_inference") or theme.get("note") or "").split()),
            "codes": [str(c) for c in link.get("codes") or []],
        })
    return links


def code_matches(code: str, codes: list[str]) -> bool:
    """Whether an excerpt's code is one of a link's ``codes``: by the whole code or its last
    path segment, case and spacing ignored.

    >>> code_matches("Mentalizing/Being curious", ["being curious"]), code_matches("x", [])
    (True, False)
    """
    def norm(text: str) -> str:
        return " ".join(str(text).casefold().split())

    wanted = {norm(c) for c in codes}
    return bool(wanted) and (norm(code) in wanted or norm(str(code).split("/")[-1]) in wanted)


def normalised_words(text: str) -> str:
    """The words of a quote for comparison: case, punctuation and spacing ignored.

    >>> normalised_words("“It was the first place,”  I said.")
    'it was the first place i said'
    """
    kept = "".join(ch.casefold() if ch.isalnum() else " " for ch in str(text))
    return " ".join(kept.split())


def _clean_excerpts(excerpts: pd.DataFrame) -> pd.DataFrame:
    frame = excerpts.copy()
    for column in ["pseudonym", "theme", "code", "excerpt", "source"]:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").astype(str)
    frame["quotable"] = as_bool(frame["quotable"]) if "quotable" in frame else False
    for column in ["start", "end"]:
        if column not in frame.columns:
            frame[column] = pd.NA
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
    return frame


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(str(text).split())


def select_quotes(
    candidates: pd.DataFrame,
    k: int,
    used_words: set[str] | None = None,
    times_quoted: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Choose up to ``k`` quotes from one theme's consented excerpts, deterministically.

    Never the same words twice: an excerpt whose words (:func:`normalised_words`) were already
    chosen, for this theme or, through ``used_words``, for an earlier one, is skipped (the same
    passage coded to two themes, or two parents' identical redacted sentences). Spread across
    parents: one quote per parent per theme while other parents have unused excerpts (rounds),
    parents quoted less often so far (``times_quoted``, across themes) first. Then an excerpt of
    15 to 60 words (long enough to carry meaning, short enough to show); then pseudonym, start,
    end and the text as tie-breakers. ``used_words`` and ``times_quoted`` are updated in place.

    >>> frame = pd.DataFrame({"pseudonym": ["P02", "P01", "P01"], "excerpt": ["short one",
    ...     " ".join(["w"] * 20), " ".join(["v"] * 20)], "start": [0, 5, 50], "end": [9, 44, 89]})
    >>> list(select_quotes(frame, 2)["pseudonym"])
    ['P01', 'P02']
    """
    used_words = set() if used_words is None else used_words
    times_quoted = {} if times_quoted is None else times_quoted
    if k <= 0 or candidates.empty:
        return candidates.iloc[0:0]
    frame = candidates.copy()
    words = frame["excerpt"].map(word_count)
    frame["_outside_length"] = ~words.between(QUOTE_MIN_WORDS, QUOTE_MAX_WORDS)
    frame["_start"] = frame["start"].astype("Float64").fillna(float("inf"))
    frame["_end"] = frame["end"].astype("Float64").fillna(float("inf"))
    frame["_words"] = frame["excerpt"].map(normalised_words)
    frame = frame.sort_values(
        ["_outside_length", "pseudonym", "_start", "_end", "excerpt"], kind="stable"
    )
    chosen: list = []
    remaining = [i for i in frame.index if frame.at[i, "_words"]]
    while remaining and len(chosen) < k:
        remaining = [i for i in remaining if frame.at[i, "_words"] not in used_words]
        # parents quoted less often (across themes) first, keeping the order above otherwise
        remaining.sort(key=lambda i: times_quoted.get(frame.at[i, "pseudonym"], 0))
        in_round: set = set()
        for index in list(remaining):
            if len(chosen) >= k:
                break
            person = frame.at[index, "pseudonym"]
            text = frame.at[index, "_words"]
            if person in in_round or text in used_words:
                continue
            in_round.add(person)
            used_words.add(text)
            times_quoted[person] = times_quoted.get(person, 0) + 1
            chosen.append(index)
            remaining.remove(index)
        if not in_round:
            break
        # later rounds may quote a participant again, once every other parent had a turn
    return frame.loc[chosen].drop(columns=["_outside_length", "_start", "_end", "_words"])


def summarise_themes(
    excerpts: pd.DataFrame, participants: pd.DataFrame, config: dict
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Summaries of the configured themes from the pseudonymised coded excerpts.

    Returns ``(themes, presence, quotes)`` with the columns of the data contracts (section 4):

    - ``themes``: one row per configured theme (config order). ``n_participants`` is the number
      of participants with at least one excerpt coded to the theme and ``n_excerpts`` the number
      of distinct coded spans (``pseudonym, start, end, excerpt``). These counts are descriptive
      context only, never a ranking of themes: prevalence is not what makes a theme key
      (Braun & Clarke 2006, p. 82; 2022). ``outcomes`` is the linked outcome ids joined by
      ``"; "``; ``fit`` the researchers' fit of its links (config), or ``silence`` (with
      :data:`SILENCE_META_INFERENCE` after the note) when no excerpt is coded to the theme at
      this site: a judgement such as "confirmation" needs the qualitative strand to say
      something.
    - ``presence``: one row per interviewed participant (and anyone with coded excerpts) and
      theme: ``present`` and the participant's ``n_excerpts`` for the theme.
    - ``quotes``: up to ``config["report"]["quotes_per_theme"]`` quotable, non-empty excerpts per
      theme from participants who consented to quotes, chosen by :func:`select_quotes`; then,
      for each link of the theme that names ``codes`` (:func:`theme_links`) and none of whose
      codes is among them yet, one more excerpt with one of its codes, so that the joint display
      can show the link a quote about its outcome. ``code`` is the excerpt's code.

    Excerpts with an empty or unconfigured theme are not counted (logged).
    """
    themes_cfg = config.get("themes") or []
    theme_ids = [t["id"] for t in themes_cfg]
    frame = _clean_excerpts(excerpts)
    unknown = sorted(set(frame.loc[~frame["theme"].isin(theme_ids), "theme"]))
    if unknown:
        log.warning(
            "%d excerpt row(s) with no configured theme are not counted (themes: %s)",
            int((~frame["theme"].isin(theme_ids)).sum()),
            ", ".join(repr(t) for t in unknown),
        )
    frame = frame[frame["theme"].isin(theme_ids)]
    spans = frame.drop_duplicates(["pseudonym", "theme", "start", "end", "excerpt"])

    theme_rows = []
    for theme in themes_cfg:
        mine = spans[spans["theme"] == theme["id"]]
        theme_rows.append(
            {
                "theme_id": theme["id"],
                "name": theme.get("name", ""),
                "central_organising_concept": " ".join(
                    str(theme.get("central_organising_concept", "")).split()
                ),
                "n_participants": int(mine["pseudonym"].nunique()),
                "n_excerpts": len(mine),
                "outcomes": "; ".join(link["outcome"] for link in theme_links(theme)),
                "fit": "; ".join(dict.fromkeys(
                    [link["fit"] for link in theme_links(theme) if link["fit"]]
                    or ([theme["fit"]] if theme.get("fit") else []))),
                "note": " ".join(str(theme.get("note", "")).split()),
            }
        )
        if mine.empty:
            # no excerpt at this site: the researchers' fit cannot hold (joint_display_links
            # says the same for each link of the theme)
            theme_rows[-1]["fit"] = "silence"
            theme_rows[-1]["note"] = f"{theme_rows[-1]['note']} {SILENCE_META_INFERENCE}".strip()
    themes = pd.DataFrame(theme_rows, columns=THEMES_COLUMNS)

    people = participants.copy()
    people["pseudonym"] = people["pseudonym"].astype(str)
    interviewed = (
        set(people.loc[as_bool(people["interviewed"]), "pseudonym"])
        if "interviewed" in people
        else set()
    )
    coded_people = set(spans["pseudonym"])
    if coded_people - interviewed:
        log.warning(
            "%d participant(s) have coded excerpts but are not marked interviewed",
            len(coded_people - interviewed),
        )
    counts = spans.groupby(["pseudonym", "theme"]).size().to_dict()
    presence_rows = [
        {
            "pseudonym": person,
            "theme_id": theme_id,
            "present": counts.get((person, theme_id), 0) > 0,
            "n_excerpts": int(counts.get((person, theme_id), 0)),
        }
        for person in sorted(interviewed | coded_people)
        for theme_id in theme_ids
    ]
    presence = pd.DataFrame(presence_rows, columns=PRESENCE_COLUMNS)

    per_theme = int((config.get("report") or {}).get("quotes_per_theme", 2))
    consented = (
        set(people.loc[people["consent_quotes"].astype(str).str.casefold().eq("yes"), "pseudonym"])
        if "consent_quotes" in people
        else set()
    )
    candidates = spans[
        spans["quotable"] & spans["excerpt"].str.strip().ne("") & spans["pseudonym"].isin(consented)
    ]
    quote_frames = []
    used_words: set[str] = set()
    times_quoted: dict[str, int] = {}
    for theme in themes_cfg:
        theme_id = theme["id"]
        mine = candidates[candidates["theme"] == theme_id]
        chosen = [select_quotes(mine, per_theme, used_words, times_quoted)]
        for link in theme_links(theme):
            if not link["codes"] or any(
                code_matches(c, link["codes"]) for frame in chosen for c in frame["code"]
            ):
                continue
            fitting = mine.loc[pd.Series([code_matches(c, link["codes"]) for c in mine["code"]],
                                         index=mine.index, dtype=bool)]
            chosen.append(select_quotes(fitting, 1, used_words, times_quoted))
        quote_frames.append(pd.concat(chosen).assign(theme_id=theme_id))
    quotes = (
        pd.concat(quote_frames, ignore_index=True)[QUOTES_COLUMNS]
        if quote_frames
        else pd.DataFrame(columns=QUOTES_COLUMNS)
    )
    quotes["excerpt"] = quotes["excerpt"].map(lambda t: " ".join(str(t).split()))
    quotes["start"] = quotes["start"].astype("Int64")
    quotes["end"] = quotes["end"].astype("Int64")
    log.info(
        "%d theme(s), %d participant(s) in the presence table, %d quote(s)",
        len(themes),
        presence["pseudonym"].nunique(),
        len(quotes),
    )
    return themes, presence, quotes.reset_index(drop=True)
