"""Joint displays: the quantitative and qualitative strands side by side.

Two displays (Guetterman, Fetters & Creswell 2015, Ann Fam Med 13:554-561; Fetters, Curry &
Creswell 2013, Health Serv Res 48:2134-2156):

- **statistics-by-themes** (:func:`outcome_joint_display`): one row per outcome with its paired
  test results, the themes the researchers linked to it, one illustrative quote per theme and
  the researchers' fit judgement (confirmation / expansion / discordance) with their note;
- **case-level** (:func:`case_joint_display`, Bazeley 2018; Creamer 2021): one row per
  participant with the change and reliable-change category per outcome and the themes present
  in their interview, so expansion and discordance at the level of a person become visible.

The fit and the notes are the researchers' judgement from ``config["themes"]``; nothing here
infers them.
"""

from __future__ import annotations

import logging

import pandas as pd

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


def format_quote(excerpt: str, pseudonym: str) -> str:
    """An illustrative quote as shown in a joint display.

    >>> format_quote("  I stop and wonder now. ", "P03")
    '“I stop and wonder now.” (P03)'
    """
    return f"“{' '.join(str(excerpt).split())}” ({pseudonym})"


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
    first_quote: dict[str, str] = {}
    for record in quotes.to_dict("records") if not quotes.empty else []:
        first_quote.setdefault(
            record["theme_id"], format_quote(record["excerpt"], record["pseudonym"])
        )
    labels = {o["id"]: o.get("label") or "" for o in config.get("outcomes") or []}

    rows = []
    for outcome in _outcome_ids(config, tests.reset_index()):
        row = {"outcome": outcome}
        stats = tests.loc[outcome] if outcome in tests.index else None
        label = stats.get("label") if stats is not None else None
        row["label"] = label if isinstance(label, str) and label else labels.get(outcome) or outcome
        for column in NUMBER_COLUMNS:
            row[column] = stats.get(column) if stats is not None else None
        linked = [t for t in themes_cfg if outcome in (t.get("outcomes") or [])]
        shown = [t for t in linked if t["id"] in with_data]
        missing = [t for t in linked if t["id"] not in with_data]
        row["themes"] = "; ".join(t["name"] for t in shown)
        row["quotes"] = "; ".join(first_quote[t["id"]] for t in shown if t["id"] in first_quote)
        row["fit"] = "; ".join(t.get("fit", "") for t in shown)
        notes = [" ".join(str(t.get("note", "")).split()) for t in shown]
        if len(shown) > 1:
            notes = [f"{t['name']}: {n}" for t, n in zip(shown, notes, strict=True) if n]
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


def case_joint_display(
    reliable_change: pd.DataFrame, presence: pd.DataFrame, config: dict
) -> pd.DataFrame:
    """The case-level joint display: one row per participant (sorted by pseudonym).

    Columns (data contracts section 4): ``pseudonym``, then ``<outcome>_change`` for every
    configured outcome, then ``<outcome>_category`` (improved / no reliable change /
    deteriorated; empty without a score pair), then ``themes_present``: the names of the themes
    coded in the participant's interview in config order, joined by ``"; "`` (empty when not
    interviewed or nothing was coded). Participants come from both inputs.
    """
    outcome_ids = [o["id"] for o in config.get("outcomes") or []]
    names = {t["id"]: t.get("name", t["id"]) for t in config.get("themes") or []}
    theme_order = list(names)
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
        rows.append(row)
    columns = (
        ["pseudonym"]
        + [f"{o}_change" for o in outcome_ids]
        + [f"{o}_category" for o in outcome_ids]
        + ["themes_present"]
    )
    out = pd.DataFrame(rows, columns=columns)
    for outcome in outcome_ids:
        out[f"{outcome}_change"] = pd.to_numeric(out[f"{outcome}_change"], errors="coerce")
    return out
