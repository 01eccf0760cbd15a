"""Joint displays: the quantitative and qualitative strands side by side.

Two displays (Guetterman, Fetters & Creswell 2015, Ann Fam Med 13:554-561; Fetters, Curry &
Creswell 2013, Health Serv Res 48:2134-2156):

- **statistics-by-themes** (:func:`outcome_joint_display`): one row per outcome with its paired
  test results, the themes the researchers linked to it, one illustrative quote per theme and
  the researchers' fit judgement (confirmation / expansion / discordance) with their note;
- **case-level** (:func:`case_joint_display`, Bazeley 2018; Creamer 2021): one row per
  participant with the change and reliable-change category per outcome and the themes present
  in their interview, so expansion and discordance at the level of a person become visible.

The fit and the notes are the researchers' judgement from ``config["themes"]``, with one rule
applied to them (:func:`fit_for_result`): a fit of confirmation or discordance needs a
quantitative result to agree or disagree with, so on an outcome whose change is not
statistically significant (:func:`parentgroup.formatting.statistically_significant`: the
adjusted p at or above .05, or the effect size's CI including 0) the link is shown as
expansion, and every link to such an outcome says in its meta-inference that the questionnaire
neither confirms nor contradicts the theme. Each link's quote is one of the theme's quotes
chosen for the link (:func:`link_quotes`: by the link's ``codes`` where it names them).
"""

from __future__ import annotations

import logging

import pandas as pd

from parentgroup.formatting import (
    P_ADJUST_NAMES,
    is_missing,
    p_statement,
    statistically_significant,
)
from parentgroup.qualitative.themes import SILENCE_META_INFERENCE, code_matches, theme_links
from parentgroup.tables import as_bool

log = logging.getLogger(__name__)

NUMBER_COLUMNS = [
    "n_pairs",
    "mean_pre",
    "mean_post",
    "mean_change",
    "lead_es",
    "lead_es_ci_low",
    "lead_es_ci_high",
    "p",
    "p_adjusted",
]
OUTCOME_COLUMNS = ["outcome", "label", *NUMBER_COLUMNS, "themes", "quotes", "fit", "note"]
NO_INTERVIEWS_NOTE = (
    "No coded interview excerpts at this site: this outcome has no qualitative counterpart."
)
NO_LINK_NOTE = "No theme is linked to this outcome in the study configuration."
#: The two groups of the case-level display (column ``group``), by the primary outcome.
IMPROVED_GROUP = "reliably improved on {label}"
NOT_IMPROVED_GROUP = "not reliably improved on {label}"
LINK_COLUMNS = [
    "theme_id", "theme", "outcome", "label", "n_pairs", "mean_change", "lead_es",
    "lead_es_ci_low", "lead_es_ci_high", "p", "p_adjusted", "n_voiced", "n_interviewed",
    "quote", "quote_pseudonym", "fit", "meta_inference",
]
#: Added to the meta-inference of a link whose outcome's change is not statistically
#: significant (:func:`fit_for_result`).
NOT_SIGNIFICANT_META_INFERENCE = (
    "The questionnaire change on {label} is not statistically significant ({p}), so it neither "
    "confirms nor contradicts this theme{read_as}."
)
NOT_SIGNIFICANT_READ_AS = "; judged {fit} by the researchers, the link is read as expansion"
#: Fits that need a quantitative result to agree or disagree with.
FITS_NEEDING_A_RESULT = ("confirmation", "discordance")
DISCORDANT_COLUMNS = [
    "pseudonym", "theme_id", "theme", "outcome", "label", "change", "category", "pattern",
    "explanation",
]
VOICED_BUT_WORSE = "voiced the theme; outcome reliably deteriorated"
BETTER_BUT_SILENT = "outcome reliably improved; voiced none of its linked themes"


def format_quote(excerpt: str, pseudonym: str) -> str:
    """An illustrative quote as shown in a joint display.

    >>> format_quote("  I stop and wonder now. ", "P03")
    '“I stop and wonder now.” (P03)'
    """
    return f"“{' '.join(str(excerpt).split())}” ({pseudonym})"


def fit_for_result(fit: str, stats, label: str = "") -> tuple[str, str]:
    """The fit a link is shown with, and the sentence its meta-inference gains, given its
    outcome's result ``stats`` (a paired_tests.csv row; empty when not tested).

    Fetters, Curry & Creswell (2013): confirmation, the strands agree; discordance, they
    contradict each other; expansion, they diverge or speak to different aspects. A change that
    is not statistically significant (:func:`parentgroup.formatting.statistically_significant`)
    shows neither agreement nor contradiction, however large its estimate: such a link is
    shown as expansion (the interviews add what the questionnaire could not establish), and its
    meta-inference says so, naming the researchers' own judgement. Expansion and silence are
    kept; a significant or untested result leaves the fit as it is.

    >>> fit_for_result("discordance", {"p": 0.053, "p_adjusted": 0.053,
    ...     "p_adjust_method": "holm", "lead_es_ci_low": -1.24, "lead_es_ci_high": 0.01}, "C")
    ... # doctest: +NORMALIZE_WHITESPACE
    ('expansion', 'The questionnaire change on C is not statistically significant
    (Holm-adjusted p = .053), so it neither confirms nor contradicts this theme; judged
    discordance by the researchers, the link is read as expansion.')
    >>> fit_for_result("confirmation", {"p": 0.001, "p_adjusted": 0.003})
    ('confirmation', '')
    """
    stats = stats if stats is not None else {}
    if fit == "silence" or statistically_significant(stats) is not False:
        return fit, ""
    p = stats.get("p_adjusted")
    method = str(stats.get("p_adjust_method") or "")
    adjusted = not is_missing(p) and method not in ("", "none")
    words = p_statement(p if adjusted else stats.get("p"))
    if adjusted:
        words = f"{P_ADJUST_NAMES.get(method, method)}-adjusted {words}"
    changed = fit in FITS_NEEDING_A_RESULT
    sentence = NOT_SIGNIFICANT_META_INFERENCE.format(
        label=label or str(stats.get("label") or "this outcome"), p=words,
        read_as=NOT_SIGNIFICANT_READ_AS.format(fit=fit) if changed else "")
    return ("expansion" if changed else fit), sentence


def link_quotes(theme: dict, quotes: list[dict]) -> dict[str, dict | None]:
    """The quote of each link of ``theme`` (outcome id -> a quotes.csv row of the theme, or
    None), from the theme's ``quotes`` in their order.

    A link naming ``codes`` gets the first quote with one of them not yet given to an earlier
    link (or, all taken, the first with one of them), and no quote when none has them: a quote
    about something else would illustrate the wrong outcome. A link without ``codes`` gets the
    theme's quotes in turn (``i``-th link, ``i``-th quote, wrapping round), leaving out while it
    can the quotes whose codes another link of the theme names.

    >>> theme = {"outcomes": [{"outcome": "pm", "codes": ["feelings"]},
    ...                       {"outcome": "ic", "codes": ["curious"]}, "cms"]}
    >>> q = [{"code": "not knowing", "pseudonym": "Q03"}, {"code": "Feelings", "pseudonym": "Q04"}]
    >>> {o: (r or {}).get("pseudonym") for o, r in link_quotes(theme, q).items()}
    {'pm': 'Q04', 'ic': None, 'cms': 'Q03'}
    """
    out: dict[str, dict | None] = {}
    given: set[int] = set()
    links = theme_links(theme)
    claimed = {k for k, q in enumerate(quotes) for link in links
               if code_matches(str(q.get("code") or ""), link["codes"])}
    free = [k for k in range(len(quotes)) if k not in claimed] or list(range(len(quotes)))
    for i, link in enumerate(links):
        if link["codes"]:
            fitting = [k for k, q in enumerate(quotes)
                       if code_matches(str(q.get("code") or ""), link["codes"])]
            pick = next((k for k in fitting if k not in given), fitting[0] if fitting else None)
        else:
            pick = free[i % len(free)] if free else None
        if pick is not None:
            given.add(pick)
        out.setdefault(link["outcome"], quotes[pick] if pick is not None else None)
    return out


def _outcome_ids(config: dict, paired_tests: pd.DataFrame) -> list[str]:
    ids = [o["id"] for o in config.get("outcomes") or []]
    extra = [o for o in paired_tests.get("outcome", pd.Series(dtype=str)) if o not in ids]
    return ids + sorted(set(extra))


def outcome_joint_display(
    paired_tests: pd.DataFrame, themes: pd.DataFrame, quotes: pd.DataFrame, config: dict
) -> pd.DataFrame:
    """The statistics-by-themes joint display: one row per outcome (config order).

    Columns (data contracts section 4): ``outcome, label`` and the numbers of
    ``paired_tests.csv`` (``n_pairs, mean_pre, mean_post, mean_change, lead_es,
    lead_es_ci_low, lead_es_ci_high, p, p_adjusted``; empty when the analysis has no row for
    the outcome), then ``themes`` (names of the linked themes with coded excerpts at this site,
    config order, joined by ``"; "``), ``quotes`` (the first selected quote of each such theme
    as ``“...” (P03)``, joined by ``"; "``), ``fit`` (one label per listed theme, joined by
    ``"; "``) and ``note`` (the researchers' note; prefixed by the theme name when several
    themes are listed). Linked themes without any coded excerpt at this site are named in the
    note instead; with no interviews at all every row says so.
    """
    themes_cfg = config.get("themes") or []
    tests = paired_tests.copy()
    if "outcome" not in tests:
        tests = pd.DataFrame(columns=["outcome", "label", *NUMBER_COLUMNS])
    tests = tests.drop_duplicates("outcome").set_index("outcome")
    has_rows = set(themes["theme_id"]) if "theme_id" in themes else set()
    with_data = (
        set(
            themes.loc[
                pd.to_numeric(themes["n_excerpts"], errors="coerce").fillna(0) > 0, "theme_id"
            ]
        )
        if "n_excerpts" in themes
        else has_rows
    )
    theme_quotes: dict[str, list[dict]] = {}
    for record in quotes.to_dict("records") if not quotes.empty else []:
        theme_quotes.setdefault(str(record["theme_id"]), []).append(record)
    quote_of = {t["id"]: link_quotes(t, theme_quotes.get(t["id"], [])) for t in themes_cfg}
    labels = {o["id"]: o.get("label") or "" for o in config.get("outcomes") or []}

    rows = []
    for outcome in _outcome_ids(config, tests.reset_index()):
        row = {"outcome": outcome}
        stats = tests.loc[outcome] if outcome in tests.index else None
        label = stats.get("label") if stats is not None else None
        row["label"] = label if isinstance(label, str) and label else labels.get(outcome) or outcome
        for column in NUMBER_COLUMNS:
            row[column] = stats.get(column) if stats is not None else None
        link_of = {
            t["id"]: next(link for link in theme_links(t) if link["outcome"] == outcome)
            for t in themes_cfg
            if any(link["outcome"] == outcome for link in theme_links(t))
        }
        linked = [t for t in themes_cfg if t["id"] in link_of]
        shown = [t for t in linked if t["id"] in with_data]
        missing = [t for t in linked if t["id"] not in with_data]
        row["themes"] = "; ".join(t["name"] for t in shown)
        picked = [quote_of[t["id"]].get(outcome) for t in shown]
        row["quotes"] = "; ".join(format_quote(q["excerpt"], q["pseudonym"])
                                  for q in picked if q is not None)
        judged = [fit_for_result(link_of[t["id"]]["fit"], stats, row["label"]) for t in shown]
        row["fit"] = "; ".join(fit for fit, _ in judged)
        notes = [link_of[t["id"]]["meta_inference"] for t in shown]
        if len(shown) > 1:
            notes = [f"{t['name']}: {n}" for t, n in zip(shown, notes, strict=True) if n]
        notes += list(dict.fromkeys(extra for _, extra in judged if extra))  # once per row
        if not linked:
            notes.append(NO_LINK_NOTE)
        elif not with_data:
            notes.append(NO_INTERVIEWS_NOTE)
        elif missing:
            names = "; ".join(t["name"] for t in missing)
            notes.append(f"Linked theme(s) without coded excerpts at this site: {names}.")
        row["note"] = " ".join(n for n in notes if n)
        if stats is None:
            log.warning("no paired-test result for outcome %s: its numbers are empty", outcome)
        rows.append(row)
    out = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    out["n_pairs"] = pd.to_numeric(out["n_pairs"], errors="coerce").astype("Int64")
    for column in NUMBER_COLUMNS[1:]:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def primary_outcome(config: dict, reliable_change: pd.DataFrame) -> str | None:
    """The outcome the case-level display groups by: the first configured outcome with a
    direction of improvement (its categories include improved / deteriorated / no reliable
    change rather than the reliable increase / decrease of a mid-range-optimal scale).

    >>> rc = pd.DataFrame({"outcome": ["cms", "pm"], "category": ["reliable increase",
    ...                                                            "no reliable change"]})
    >>> primary_outcome({"outcomes": [{"id": "cms"}, {"id": "pm"}]}, rc)
    'pm'
    """
    mid = {"reliable increase", "reliable decrease"}
    for outcome in [o["id"] for o in config.get("outcomes") or []]:
        if "outcome" not in reliable_change:
            return outcome
        mine = set(reliable_change.loc[reliable_change["outcome"] == outcome, "category"])
        if mine and not mine & mid:
            return outcome
    return None


def case_joint_display(
    reliable_change: pd.DataFrame, presence: pd.DataFrame, config: dict,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """The case-level joint display: one row per participant, grouped as a side-by-side
    display (MAXQDA): parents with a reliable improvement on the primary outcome
    (:func:`primary_outcome`, the first configured outcome with a direction of improvement)
    first, then the others; within a group, more outcomes reliably improved first, then by
    pseudonym.

    Columns (data contracts section 4): ``pseudonym``, then ``<outcome>_change`` for every
    configured outcome, then ``<outcome>_category`` (the category of reliable_change.csv:
    improved / no reliable change / deteriorated, or reliable increase / decrease on a
    mid-range-optimal scale; empty without a score pair), then ``themes_present``: the names of
    the themes coded in the participant's interview in config order, joined by ``"; "`` (empty
    when not interviewed or nothing was coded), ``n_outcomes_improved`` (outcomes with the
    category "improved") and ``group`` (:data:`IMPROVED_GROUP` or :data:`NOT_IMPROVED_GROUP`
    with the primary outcome's label from ``labels``, else the config's). Participants come
    from both inputs.
    """
    outcome_ids = [o["id"] for o in config.get("outcomes") or []]
    names = {t["id"]: t.get("name", t["id"]) for t in config.get("themes") or []}
    theme_order = list(names)
    primary = primary_outcome(config, reliable_change)
    labels = {**{o["id"]: o.get("label") or o["id"] for o in config.get("outcomes") or []},
              **(labels or {})}
    primary_label = labels.get(primary, primary) if primary else "any outcome"
    change = reliable_change.copy()
    for column in ["pseudonym", "outcome", "change", "category"]:
        if column not in change:
            change[column] = pd.Series(dtype=object)
    change["pseudonym"] = change["pseudonym"].astype(str)
    pres = presence.copy()
    for column in ["pseudonym", "theme_id", "present"]:
        if column not in pres:
            pres[column] = pd.Series(dtype=object)
    pres["pseudonym"] = pres["pseudonym"].astype(str)
    pres["present"] = as_bool(pres["present"])

    people = sorted(set(change["pseudonym"]) | set(pres["pseudonym"]))
    first = change.drop_duplicates(["pseudonym", "outcome"])
    keys = list(zip(first["pseudonym"], first["outcome"], strict=True))
    change_of = dict(zip(keys, first["change"], strict=True))
    category_of = dict(zip(keys, first["category"], strict=True))
    present = pres[pres["present"]]
    themes_of: dict[str, set] = {}
    for person, theme in zip(present["pseudonym"], present["theme_id"], strict=True):
        themes_of.setdefault(person, set()).add(theme)
    rows = []
    for person in people:
        row: dict = {"pseudonym": person}
        for outcome in outcome_ids:
            row[f"{outcome}_change"] = change_of.get((person, outcome))
        for outcome in outcome_ids:
            category = category_of.get((person, outcome), "")
            row[f"{outcome}_category"] = "" if pd.isna(category) else str(category)
        mine = themes_of.get(person, set())
        row["themes_present"] = "; ".join(names[t] for t in theme_order if t in mine)
        row["n_outcomes_improved"] = sum(
            row[f"{o}_category"] == "improved" for o in outcome_ids)
        improved = primary is not None and row.get(f"{primary}_category") == "improved"
        row["group"] = (IMPROVED_GROUP if improved else NOT_IMPROVED_GROUP).format(
            label=primary_label)
        row["_first"] = improved
        rows.append(row)
    columns = (
        ["pseudonym"]
        + [f"{o}_change" for o in outcome_ids]
        + [f"{o}_category" for o in outcome_ids]
        + ["themes_present", "n_outcomes_improved", "group"]
    )
    rows.sort(key=lambda r: (not r["_first"], -r["n_outcomes_improved"], r["pseudonym"]))
    out = pd.DataFrame(rows, columns=columns)
    out["n_outcomes_improved"] = out["n_outcomes_improved"].astype(int)
    for outcome in outcome_ids:
        out[f"{outcome}_change"] = pd.to_numeric(out[f"{outcome}_change"], errors="coerce")
    return out


def _numbers_of(paired_tests: pd.DataFrame) -> dict[str, dict]:
    if "outcome" not in paired_tests:
        return {}
    return {
        str(r["outcome"]): r
        for r in paired_tests.drop_duplicates("outcome").to_dict("records")
    }


def link_joint_display(
    paired_tests: pd.DataFrame,
    themes: pd.DataFrame,
    quotes: pd.DataFrame,
    presence: pd.DataFrame,
    config: dict,
) -> pd.DataFrame:
    """The joint display of Fetters, Curry & Creswell (2013): one row per theme-outcome link.

    Rows in the order of the configured themes and, within a theme, of its ``outcomes``
    (:func:`parentgroup.qualitative.themes.theme_links`). Each row carries the outcome's numbers
    from paired_tests.csv (empty when not tested), ``n_voiced`` (interviewed parents with an
    excerpt coded to the theme; descriptive context, Braun & Clarke 2006) of ``n_interviewed``,
    one illustrative quote of the theme (a different one for each link of the same theme while
    the theme has unused quotes; ``quote_pseudonym`` the parent), and the researchers' ``fit``
    and ``meta_inference`` for this link. A linked theme without any coded excerpt at this
    site is ``silence`` (O'Cathain, Murphy & Nicholl 2010), with :data:`SILENCE_META_INFERENCE`
    after any configured meta-inference.
    """
    numbers = _numbers_of(paired_tests)
    labels = {o["id"]: o.get("label") or "" for o in config.get("outcomes") or []}
    pres = presence.copy()
    for column in ["pseudonym", "theme_id", "present"]:
        if column not in pres:
            pres[column] = pd.Series(dtype=object)
    pres["present"] = as_bool(pres["present"])
    n_interviewed = int(pres["pseudonym"].astype(str).nunique())
    voiced = pres[pres["present"]].groupby("theme_id")["pseudonym"].nunique().to_dict()
    theme_quotes: dict[str, list[dict]] = {}
    for record in quotes.to_dict("records") if not quotes.empty else []:
        theme_quotes.setdefault(str(record["theme_id"]), []).append(record)
    rows = []
    for theme in config.get("themes") or []:
        tid = theme["id"]
        quote_of = link_quotes(theme, theme_quotes.get(tid, []))
        for link in theme_links(theme):
            outcome = link["outcome"]
            stats = numbers.get(outcome, {})
            label = stats.get("label")
            label = label if isinstance(label, str) and label else labels.get(outcome) or outcome
            quote = quote_of.get(outcome)
            n_voiced = int(voiced.get(tid, 0))
            fit, meta = link["fit"], link["meta_inference"]
            if n_voiced == 0:
                fit = "silence"
                meta = f"{meta} {SILENCE_META_INFERENCE}".strip()
            fit, extra = fit_for_result(fit, stats, label)
            meta = f"{meta} {extra}".strip()
            rows.append({
                "theme_id": tid,
                "theme": theme.get("name", tid),
                "outcome": outcome,
                "label": label,
                **{c: stats.get(c) for c in NUMBER_COLUMNS if c not in {"mean_pre", "mean_post"}},
                "n_voiced": n_voiced,
                "n_interviewed": n_interviewed,
                "quote": " ".join(str(quote["excerpt"]).split()) if quote else "",
                "quote_pseudonym": str(quote["pseudonym"]) if quote else "",
                "fit": fit,
                "meta_inference": meta,
            })
    out = pd.DataFrame(rows, columns=LINK_COLUMNS)
    out["n_pairs"] = pd.to_numeric(out["n_pairs"], errors="coerce").astype("Int64")
    for column in ["mean_change", "lead_es", "lead_es_ci_low", "lead_es_ci_high", "p",
                   "p_adjusted"]:
        out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    for column in ["n_voiced", "n_interviewed"]:
        out[column] = out[column].astype(int)
    return out


def discordant_cases(
    reliable_change: pd.DataFrame, presence: pd.DataFrame, config: dict,
    labels: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Case-level discordance for the researchers to explain (Fetters, Curry & Creswell 2013;
    Bazeley 2018): interviewed parents whose account and reliable change disagree.

    Two patterns, per interviewed parent and theme-outcome link of the config:

    - :data:`VOICED_BUT_WORSE`: the parent voiced a theme linked to an outcome on which their
      reliable-change category is "deteriorated" (one row per such theme);
    - :data:`BETTER_BUT_SILENT`: the parent's category on an outcome is "improved" but they
      voiced none of the themes linked to it (one row; ``theme_id`` / ``theme`` list the linked
      themes, joined by ``"; "``).

    A mid-range-optimal outcome ("reliable increase" / "reliable decrease") has no direction of
    improvement, so it never makes a case discordant by itself. ``explanation`` is left empty
    for the researchers. Rows sorted by pseudonym, then outcome (config order), then theme.
    ``labels`` maps outcome ids to display labels (paired_tests.csv), else the config's.
    """
    themes_cfg = config.get("themes") or []
    outcome_ids = [o["id"] for o in config.get("outcomes") or []]
    labels = {**{o["id"]: o.get("label") or o["id"] for o in config.get("outcomes") or []},
              **(labels or {})}
    pres = presence.copy()
    for column in ["pseudonym", "theme_id", "present"]:
        if column not in pres:
            pres[column] = pd.Series(dtype=object)
    pres["pseudonym"] = pres["pseudonym"].astype(str)
    pres["present"] = as_bool(pres["present"])
    interviewed = set(pres["pseudonym"])
    voiced = set(zip(pres.loc[pres["present"], "pseudonym"],
                     pres.loc[pres["present"], "theme_id"].astype(str), strict=True))
    change = reliable_change.copy()
    for column in ["pseudonym", "outcome", "change", "category"]:
        if column not in change:
            change[column] = pd.Series(dtype=object)
    change["pseudonym"] = change["pseudonym"].astype(str)
    order = {o: i for i, o in enumerate(outcome_ids)}
    linked: dict[str, list[dict]] = {}
    for theme in themes_cfg:
        for link in theme_links(theme):
            linked.setdefault(link["outcome"], []).append(theme)
    rows = []
    for r in change.drop_duplicates(["pseudonym", "outcome"]).to_dict("records"):
        person, outcome, category = r["pseudonym"], str(r["outcome"]), str(r["category"])
        if person not in interviewed or outcome not in linked:
            continue
        base = {"pseudonym": person, "outcome": outcome, "label": labels.get(outcome, outcome),
                "change": r["change"], "category": category, "explanation": ""}
        themes_here = linked[outcome]
        if category == "deteriorated":
            for theme in themes_here:
                if (person, theme["id"]) in voiced:
                    rows.append({**base, "theme_id": theme["id"],
                                 "theme": theme.get("name", theme["id"]),
                                 "pattern": VOICED_BUT_WORSE})
        elif category == "improved" and not any(
            (person, t["id"]) in voiced for t in themes_here
        ):
            rows.append({**base, "theme_id": "; ".join(t["id"] for t in themes_here),
                         "theme": "; ".join(t.get("name", t["id"]) for t in themes_here),
                         "pattern": BETTER_BUT_SILENT})
    rows.sort(key=lambda x: (x["pseudonym"], order.get(x["outcome"], len(order)), x["outcome"],
                             x["theme_id"]))
    out = pd.DataFrame(rows, columns=DISCORDANT_COLUMNS)
    out["change"] = pd.to_numeric(out["change"], errors="coerce").astype(float)
    return out
