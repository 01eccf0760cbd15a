"""One disclosure rule for every table, figure, legend and sentence (issue 17): the flow
diagram prints the flow counts exactly, as participant_flow.csv does, quotes carry codes of their
own, allow-list entries are withheld."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import pandas as pd  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

from parentgroup.disclosure import separate_quote_codes, withhold_allow_list  # noqa: E402
from parentgroup.figures.flow import participant_flow_figure  # noqa: E402

FLOW = pd.DataFrame({
    "step": ["enrolled", "attended_min_sessions", "questionnaires_complete", "interviewed",
             "quotes_consented", "left_early", "excluded"],
    "n": [14, 12, 12, 12, 10, 2, 1],
    "detail": ["", "attended at least 6 sessions", "", "", "", "", "no questionnaire"],
})


def _texts(figure) -> list[str]:
    return [t.get_text() for t in figure.findobj(matplotlib.text.Text)]


def test_the_flow_diagram_prints_the_flow_counts_exactly_as_the_table_does():
    figure, record = participant_flow_figure(participant_flow=FLOW)
    texts = " ".join(_texts(figure))
    plt.close(figure)
    for text in (texts, record.alt_text):
        assert "<3" not in text, text
        assert "n = 2" in text and "n = 1" in text  # left early, the exclusion
    assert "n = 14" in texts and "n = 10" in texts
    # a larger threshold from the config changes nothing: flow counts are exact at any size
    figure, record = participant_flow_figure(participant_flow=FLOW, min_cell_size=11)
    plt.close(figure)
    assert "consented to be quoted: 10" in record.alt_text


def test_the_flow_diagram_names_each_outcomes_own_n_where_it_differs():
    """Available cases per outcome: the box counts completers with every outcome (18), the
    caption and alt text give the n of the outcomes analysed with another n (19), and no longer
    say that only completers with every outcome enter the paired analysis."""
    flow = pd.DataFrame({
        "step": ["enrolled", "attended_min_sessions", "questionnaires_complete",
                 "analysed_for_prfq_pm", "analysed_for_psoc_total", "interviewed",
                 "quotes_consented", "left_early"],
        "n": [23, 19, 18, 19, 19, 0, 0, 4],
        "detail": ["", "attended at least 6 sessions", "", "PRFQ pre-mentalizing: completers",
                   "PSOC total: completers", "", "", ""]})
    figure, record = participant_flow_figure(participant_flow=flow)
    plt.close(figure)
    assert "questionnaires complete at both times: 18" in record.alt_text
    for text in (record.caption, record.alt_text):
        assert "PRFQ pre-mentalizing: n = 19; PSOC total: n = 19" in text
    assert "only completers with every outcome" not in record.caption
    figure, record = participant_flow_figure(participant_flow=FLOW)
    plt.close(figure)
    assert "only completers with every outcome scored at both times enter" in record.caption
    assert "Analysed per outcome" not in record.alt_text


def test_quotes_do_not_share_codes_with_the_case_displays():
    quotes = pd.DataFrame({"theme_id": ["a", "b"], "pseudonym": ["P09", "P03"],
                           "excerpt": ["[Child of P09] and [Child of P05]", "I told [P09]"]})
    recoded = separate_quote_codes(quotes)
    assert not recoded["pseudonym"].str.match(r"P\d").any()
    assert not recoded["excerpt"].str.contains(r"P\d").any()
    assert recoded["excerpt"].tolist() == ["[Child of Q01] and [Child of another parent]",
                                           "I told [Q01]"]


def test_allow_list_entries_are_withheld_and_a_change_shows():
    first = withhold_allow_list({"anonymisation": {"allow_list": ["Mum", "Murphy"]}})
    second = withhold_allow_list({"anonymisation": {"allow_list": ["Mum", "Murphi"]}})
    assert "Murphy" not in str(first) and first != second
