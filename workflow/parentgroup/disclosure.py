"""The one disclosure rule for counts and attributes of people in every shared output (tables,
figures, legends, sentences, Word tables), in one sentence:

    **Counts of people in the participant flow are exact everywhere; what an output says about a
    group of fewer than ``analysis.min_cell_size`` people is not shown: a count in a category
    below the threshold reads "<3", and any other value about such a group (a mean, SD, median,
    change, the categories of its reasons) or a count withheld by the differencing rule reads
    "[c]".**

The flow counts (invited, accepted, declined, no reply, enrolled, completers, early leavers,
interviewed, analysed, excluded, per arm) are the study's denominators, which CONSORT reporting
needs; every other count of people is a count in a category of an attribute (a reason, a
reliable-change category, a child characteristic, a theme voiced, a session attended, a goal
category) and goes through :func:`small_count` (ICO anonymisation code of practice; the
threshold-rule practice of UK statistical disclosure control, summarised in
shared/reference/anonymisation.md section 5). A table whose counts sum to a shown total calls
:func:`complementary_suppression` instead, which adds the differencing rule (no small count may
be worked back as a total minus the other shown counts; a flow count named ``exact`` there is
never the one withheld), and :func:`category_counts` withholds the whole breakdown of a group
smaller than the threshold. Two published aggregates over groups that differ by fewer than the
threshold (:func:`isolates_few`) withhold one of them. Nothing else suppresses.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the Snakefile imports this module: pandas would cost every start-up
    import pandas as pd

#: The default threshold (config ``analysis.min_cell_size``).
MIN_CELL_SIZE = 3


def small_count(count: int, min_cell_size: int = MIN_CELL_SIZE) -> int | str:
    """A count of people, or ``"<min_cell_size"`` when it is positive but below the threshold.

    >>> small_count(2), small_count(0), small_count(5), small_count(2, 5)
    ('<3', 0, 5, '<5')
    """
    count = int(count)
    return f"<{min_cell_size}" if 0 < count < min_cell_size else count


def flow_count(count) -> int:
    """A count of people in the participant flow (enrolled, completers, early leavers, analysed,
    interviewed, excluded, per arm ...): shown exactly, whatever its size, in every table,
    figure, legend and sentence (the denominators CONSORT reporting needs; module docstring).
    A call site that shows a count of people calls either this or :func:`small_count`, so
    which rule each place follows can be read off the code.

    >>> flow_count(2), flow_count("14"), flow_count(12.0)
    (2, 14, 12)
    """
    return int(float(count))


def is_suppressed(value) -> bool:
    """True for a count :func:`small_count` suppressed (``"<3"``) or one withheld by
    :func:`complementary_suppression` (``"[c]"``).

    >>> is_suppressed("<3"), is_suppressed("[c]"), is_suppressed(4), is_suppressed("4")
    (True, True, False, False)
    """
    return isinstance(value, str) and (value.startswith("<") or value == WITHHELD)


def shared_people(participants: pd.DataFrame) -> set[str]:
    """The pseudonyms whose own rows a shared per-parent table (scores, goals, case-level
    displays) may hold: the parents the analyses are about (completers; in a controlled design
    also every comparison parent, who attends no sessions). An early leaver's own values stay in
    data/processed/ unless config ``analysis.early_leavers_in_tables`` says they may be shared
    (issue 17).

    >>> import pandas as pd
    >>> sorted(shared_people(pd.DataFrame({"pseudonym": ["P01", "P02", "P03"],
    ...     "completer": ["True", "false", "False"],
    ...     "arm": ["intervention", "intervention", "Comparison"]})))
    ['P01', 'P03']
    """
    keep = participants["completer"].astype(str).str.strip().str.casefold().isin(
        {"true", "1", "1.0", "yes"}).to_numpy()
    if "arm" in participants.columns:
        keep = keep | (participants["arm"].astype(str).str.strip().str.casefold()
                       == "comparison").to_numpy()
    return set(participants["pseudonym"].astype(str).to_numpy()[keep])


def withhold_allow_list(study: dict) -> dict:
    """``study`` (a config or a site's study config) with ``anonymisation.allow_list`` replaced
    by a placeholder naming how many entries it has and a digest of them.

    The allow-list holds reviewed words the redactor keeps off the review list; a site may have
    to list a surname there, so its entries are withheld like every other identifier: from rule
    params (and so ``.snakemake/`` and the workflow report), ``config_used.yaml``, the report
    and the notebook. The digest changes when the list changes, so the anonymise job still
    reruns; that job reads the entries from the workflow's config, never from its params.

    >>> withhold_allow_list({"anonymisation": {"allow_list": ["Mum", "Murphy"], "k": 3}})
    {'anonymisation': {'allow_list': 'withheld: 2 entries (sha256 1066151985fe)', 'k': 3}}
    >>> withhold_allow_list({"report": {}})
    {'report': {}}
    """
    entries = (study.get("anonymisation") or {}).get("allow_list")
    if not isinstance(entries, list):
        return study
    digest = hashlib.sha256(json.dumps(sorted(map(str, entries))).encode("utf-8")).hexdigest()
    withheld = {**study, "anonymisation": dict(study["anonymisation"])}
    withheld["anonymisation"]["allow_list"] = (
        f"withheld: {len(entries)} entries (sha256 {digest[:12]})")
    return withheld


#: A case code (pseudonym) inside text: ``P01`` ... ``P5000``.
_CASE_CODE = re.compile(r"\bP\d{2,}\b")


def unattributed_quote(text: str) -> str:
    """An excerpt shown without any code (a quote outside the quotes table, e.g. beside the
    reasons families gave for declining): case codes inside it give way to plain words, so the
    words cannot be tied to a parent's scores or to a quote code elsewhere in the report.

    >>> unattributed_quote("[Child of P07] told [P04] and P02")
    '[their child] told [another parent] and another parent'
    """
    text = re.sub(r"\[Child of P\d{2,}\]", "[their child]", str(text))
    text = re.sub(r"\[P\d{2,}\]", "[another parent]", text)
    return re.sub(r"\bP\d{2,}\b", "another parent", text)


def separate_quote_codes(quotes: pd.DataFrame) -> pd.DataFrame:
    """The quotes with codes of their own: the qualitative strand does not share its codes with
    the case-level quantitative displays (the joint display of cases, reliable change).

    Group members recognise each other's words; with one code set, recognising a quote would
    give that parent's scores and reliable-change categories (the motivated-intruder test, ICO
    anonymisation code of practice). Each quoted parent gets ``Q01``, ``Q02`` ... in order of
    first appearance in the quotes table (theme order, then selection order), and every case
    code inside a quote's text is replaced too: ``[Child of P07]`` becomes ``[Child of Q02]``
    when P07 is quoted, else ``[Child of another parent]``; ``[P04]`` becomes
    ``[another parent]``. The ``pseudonym`` column then holds the quote code.

    >>> import pandas as pd
    >>> q = pd.DataFrame({"theme_id": ["a", "a", "b"], "pseudonym": ["P07", "P02", "P07"],
    ...                   "excerpt": ["[Child of P07] sleeps", "[P04] and I", "ok P02"]})
    >>> separate_quote_codes(q)[["pseudonym", "excerpt"]].values.tolist()
    [['Q01', '[Child of Q01] sleeps'], ['Q02', '[another parent] and I'], ['Q01', 'ok Q02']]
    """
    if quotes.empty or "pseudonym" not in quotes:
        return quotes
    order = list(dict.fromkeys(quotes["pseudonym"].astype(str)))
    width = max(2, len(str(len(order))))
    codes = {case: f"Q{number:0{width}d}" for number, case in enumerate(order, start=1)}

    def recode(text: str) -> str:
        text = re.sub(r"\[(P\d{2,})\]",
                      lambda m: f"[{codes[m.group(1)]}]" if m.group(1) in codes
                      else "[another parent]", text)
        return _CASE_CODE.sub(lambda m: codes.get(m.group(), "another parent"), text)

    recoded = quotes.copy()
    recoded["pseudonym"] = recoded["pseudonym"].astype(str).map(codes)
    if "excerpt" in recoded:
        recoded["excerpt"] = recoded["excerpt"].astype(str).map(recode)
    return recoded


def isolates_few(n_larger: int, n_smaller: int, min_cell_size: int = MIN_CELL_SIZE) -> bool:
    """Whether two published aggregates over nested groups of ``n_larger`` and ``n_smaller``
    people differ by fewer than ``min_cell_size`` people (but at least one): their difference
    then describes those few (differencing; e.g. a mean change over 13 parents beside the one
    over the 12 completers gives the one early leaver's change exactly, as 13 m13 - 12 m12).

    >>> isolates_few(13, 12), isolates_few(14, 12), isolates_few(15, 12), isolates_few(12, 12)
    (True, True, False, False)
    """
    return 0 < int(n_larger) - int(n_smaller) < min_cell_size


def quotes_fitting_cases(quotes: pd.DataFrame, case_themes: dict[str, set[str]],
                         min_cell_size: int = MIN_CELL_SIZE) -> pd.DataFrame:
    """The quotes without those that would let a reader tie a quoted parent to one case.

    Quote codes are not the case codes (:func:`separate_quote_codes`), but the case-level joint
    display lists the themes present in each case: a parent quoted under themes that only one
    or two cases share is found there by that set. For each quoted parent (in order), while the
    set of themes they are quoted under is contained in the themes of at least one but fewer
    than ``min_cell_size`` cases (``case_themes``: case code -> theme ids present), their quote
    under the theme present in the fewest cases is dropped.

    >>> import pandas as pd
    >>> q = pd.DataFrame({"theme_id": ["a", "b", "a"], "pseudonym": ["P01", "P01", "P02"]})
    >>> cases = {"P01": {"a", "b"}, "P02": {"a"}, "P03": {"a"}}
    >>> quotes_fitting_cases(q, cases)[["theme_id", "pseudonym"]].values.tolist()
    [['a', 'P01'], ['a', 'P02']]
    """
    if quotes.empty or not case_themes:
        return quotes
    kept = quotes
    for speaker in dict.fromkeys(quotes["pseudonym"].astype(str)):
        while True:
            rows = kept[kept["pseudonym"].astype(str) == speaker]
            themes = set(rows["theme_id"].astype(str))
            fits = sum(themes <= present for present in case_themes.values())
            if not themes or fits == 0 or fits >= min_cell_size:
                break
            rarest = min(themes, key=lambda t: (
                sum(t in present for present in case_themes.values()), t))
            kept = kept.drop(rows.index[rows["theme_id"].astype(str) == rarest])
    return kept.reset_index(drop=True)


#: The mark of a count withheld by complementary suppression ("confidential", as the ONS marks
#: it): unlike ``"<3"`` it says nothing about the count beyond that it is not zero.
WITHHELD = "[c]"


def _feasible_range(target, values: dict, groups, min_cell_size: int) -> tuple[float, float]:
    """The smallest and largest value of the hidden count ``target`` that agree with every shown
    count and every group sum, found by linear programming (the audit tau-ARGUS runs; a table of
    nested sums has a totally unimodular constraint matrix, so the bounds are whole numbers)."""
    from scipy.optimize import linprog

    hidden = [key for key, (_, shown) in values.items() if not isinstance(shown, int)]
    index = {key: i for i, key in enumerate(hidden)}
    rows, rhs = [], []
    for total, cells in groups:
        coef = [0.0] * len(hidden)
        constant = 0
        for key, sign in [(total, -1)] + [(c, 1) for c in cells]:
            if key in index:
                coef[index[key]] += sign
            else:
                constant += sign * values[key][0]
        if any(coef):
            rows.append(coef)
            rhs.append(-constant)
    bounds = []
    for key in hidden:
        shown = values[key][1]
        if shown is None:  # an unpublished complement: anything from zero
            bounds.append((0, None))
        elif shown.startswith("<"):
            bounds.append((1, min_cell_size - 1))
        else:  # withheld: only counts above zero are chosen; one chosen while it could be
            # shown is taken as known to be at least the threshold (an intruder who knows
            # this rule could tell), so the audit stays safe against that reasoning too
            bounds.append((1 if values[key][0] < min_cell_size else min_cell_size, None))
    out = []
    for sign in (1, -1):
        goal = [0.0] * len(hidden)
        goal[index[target]] = sign
        res = linprog(goal, A_eq=rows or None, b_eq=rhs or None, bounds=bounds, method="highs")
        out.append(sign * res.fun if res.status == 0 else math.inf * -sign)
    return round(out[0], 6), round(out[1], 6)


def complementary_suppression(counts: dict, groups: list[tuple], *,
                              min_cell_size: int = MIN_CELL_SIZE,
                              unpublished: tuple = (), exact: tuple = ()) -> dict:
    """Counts of people as shown, with the threshold rule (:func:`small_count`) and the
    differencing rule: where a group of cells sums to a total (``groups`` holds
    ``(total_key, [cell_keys])``), no small count may be worked back from the others.

    ``counts`` maps a key to its true count; keys in ``unpublished`` are cells that are never
    shown (the complement of a shown subset, e.g. "on time" = recorded - late) but whose small
    value must not be worked out either. Standard complementary (secondary) suppression: while a
    small cell's value is pinned down by the shown counts and the sums (a linear-programming
    audit: its smallest and largest feasible values agree), the smallest other shown, positive
    cell of its group is withheld as well (ties: the order of ``counts``); when the group has
    none, its total. A group of a subset and its unpublished complement withholds its total
    first (the subset is the finding). When the total is already withheld, the smallest shown
    cell of another group summing to the same total is, else the search moves up to the group
    the total sits in (at the top: the smallest shown count of any group holding a hidden one).
    A small total may be withheld too (two ``"<3"`` cells under a ``"<3"`` total are both 1).
    Keys in ``exact`` are flow counts: always shown as they are and never withheld (a
    ``ValueError`` when nothing else can be; :func:`category_counts` then withholds the whole
    breakdown). Withheld counts are marked :data:`WITHHELD`, ``"[c]"``. Deterministic.

    >>> out = complementary_suppression({"declined": 5, "stigma": 4, "timing": 1},
    ...                                 [("declined", ["stigma", "timing"])])
    >>> out["declined"], out["stigma"], out["timing"]
    (5, '[c]', '<3')
    >>> complementary_suppression({"all": 9, "a": 4, "b": 3, "c": 2},
    ...                           [("all", ["a", "b", "c"])])["b"]
    '[c]'
    >>> complementary_suppression({"declined": 2, "x": 1, "y": 1}, [("declined", ["x", "y"])],
    ...                           exact=("declined",))
    Traceback (most recent call last):
    ValueError: complementary suppression found no count to withhold
    """
    hidden, fixed = set(unpublished), set(exact)
    values = {key: (int(n), None if key in hidden else int(n) if key in fixed
                    else small_count(n, min_cell_size))
              for key, n in counts.items()}
    order = {key: i for i, key in enumerate(counts)}
    group_of = {cell: g for g in groups for cell in g[1]}

    def pinned() -> list:
        at_risk = [key for key, (n, shown) in values.items()
                   if 0 < n < min_cell_size and not isinstance(shown, int) and key not in fixed
                   and (key in group_of or any(key == g[0] for g in groups))]
        out = []
        for key in sorted(at_risk, key=order.get):
            low, high = _feasible_range(key, values, groups, min_cell_size)
            if low == high:
                out.append(key)
        return out

    def shown_positive(keys) -> list:
        return [k for k in keys if isinstance(values[k][1], int) and values[k][0] > 0
                and k not in fixed]

    def withholdable(keys) -> list:  # published, not yet withheld, above zero, not a flow count
        return [k for k in keys if values[k][1] not in (None, WITHHELD) and values[k][0] > 0
                and k not in fixed]

    def smallest(candidates):
        return min(candidates, key=lambda c: (values[c][0], order[c])) if candidates else None

    def next_to_withhold(key):
        seen = set()
        while (group := group_of.get(key)) is not None and key not in seen:
            seen.add(key)
            total, cells = group
            # the total is withheld but may still be known through another group summing to it
            elsewhere = smallest(shown_positive(dict.fromkeys(
                c for t, others in groups if t == total and others != cells for c in others)))
            in_group = smallest(shown_positive(cells))
            own_total = total if withholdable([total]) else None
            # a subset beside its unshown complement is the finding: withhold around it first
            options = [own_total, elsewhere, in_group] if hidden.intersection(cells) \
                else [in_group, own_total, elsewhere]
            options.append(smallest(withholdable(cells)))
            if (choice := next((o for o in options if o is not None), None)) is not None:
                return choice
            key = total
        # the top of the nesting: any shown count of a group that holds a hidden one
        choice = smallest(withholdable(dict.fromkeys(
            k for total, cells in groups
            if not all(isinstance(values[x][1], int) for x in [total, *cells])
            for k in [*cells, total])))
        if choice is None:
            raise ValueError("complementary suppression found no count to withhold")
        return choice

    while (risky := pinned()):
        choice = next_to_withhold(risky[0])
        if values[choice][1] == WITHHELD:  # no progress: nothing left that may be withheld
            raise ValueError("complementary suppression found no count to withhold")
        values[choice] = (values[choice][0], WITHHELD)
    return {key: shown for key, (_, shown) in values.items() if key not in hidden}


def category_counts(group: int, categories: dict, *,
                    min_cell_size: int = MIN_CELL_SIZE) -> dict | None:
    """The counts of an attribute's categories (reasons for declining or leaving ...) within a
    group of ``group`` people whose size is a flow count, published exactly beside them.

    A group smaller than ``min_cell_size`` has its whole breakdown withheld (``None``): with the
    group's exact size beside them, even "<3" cells give its members' reasons back. Otherwise
    :func:`complementary_suppression` with the group's size fixed (``exact``); when no cell can
    be withheld to protect a small one, the whole breakdown is withheld too. The result does
    not depend on the order of ``categories`` (ties go by name).

    >>> category_counts(2, {"family": 1, "practical": 1}) is None
    True
    >>> category_counts(6, {"stigma": 4, "timing": 1, "other": 1})
    {'stigma': '[c]', 'timing': '<3', 'other': '<3'}
    >>> category_counts(8, {"stigma": 3, "timing": 2, "childcare": 3, "other": 0})
    {'stigma': 3, 'timing': '<3', 'childcare': '[c]', 'other': 0}
    >>> category_counts(4, {"stigma": 3, "timing": 1}) is None  # 4 - 3: nothing hides the 1
    True
    """
    if int(group) < min_cell_size:
        return None
    total = ("group total",)
    # ties are broken by the categories' names, never by the caller's order, so every output
    # that shows the same breakdown withholds the same cell
    names = sorted(categories, key=str)
    counts = {total: int(group), **{key: int(categories[key]) for key in names}}
    try:
        shown = complementary_suppression(counts, [(total, names)],
                                          min_cell_size=min_cell_size, exact=(total,))
    except ValueError:
        return None
    return {key: shown[key] for key in categories}


def shown_categories(group: int, categories: dict, *,
                     min_cell_size: int = MIN_CELL_SIZE) -> dict:
    """:func:`category_counts` for a display that keeps one cell per category (a table row, a
    legend entry): a breakdown withheld whole shows every category as :data:`WITHHELD`.

    >>> shown_categories(12, {"improved": 11, "no reliable change": 1, "deteriorated": 0})
    {'improved': '[c]', 'no reliable change': '<3', 'deteriorated': 0}
    >>> shown_categories(2, {"a": 1, "b": 1})
    {'a': '[c]', 'b': '[c]'}
    """
    shown = category_counts(group, categories, min_cell_size=min_cell_size)
    return shown if shown is not None else {key: WITHHELD for key in categories}


def shown_category_table(table: pd.DataFrame, *, by: str, category: str, count: str,
                         total: str, min_cell_size: int = MIN_CELL_SIZE) -> pd.DataFrame:
    """A long table of category counts (one row per ``by`` and ``category``) with ``count``
    through :func:`shown_categories` within each ``by``, whose categories partition ``total``
    (a flow count, kept exact), e.g. reliable_change_summary.csv's parents per outcome and
    category beside the outcome's n.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": ["a"] * 3, "category": ["up", "same", "down"],
    ...                   "n_parents": [11, 1, 0], "n_outcome": [12] * 3})
    >>> shown_category_table(t, by="outcome", category="category", count="n_parents",
    ...                      total="n_outcome")["n_parents"].tolist()
    ['[c]', '<3', 0]
    """
    if table.empty:
        return table
    out = table.copy()
    out[count] = out[count].astype(object)
    for _, rows in table.groupby(by, sort=False):
        shown = shown_categories(int(rows[total].iloc[0]),
                                 dict(zip(rows[category], rows[count], strict=True)),
                                 min_cell_size=min_cell_size)
        for index, key in zip(rows.index, rows[category], strict=True):
            out.at[index, count] = shown[key]
    return out
