"""The demo coding: which interview passages the (fictional) analyst coded, as an excerpt table.

Not every interview speaks to every theme: each interview has three to five themes coded (one
excerpt each, and a second excerpt for one theme in some interviews: three to six excerpts per
interview; no two coded excerpts of a theme use the same wording), drawn by the seed until every theme is coded in at least six interviews, so the
case-level joint display shows variation. Excerpts are verbatim: ``text[start:end]`` of the
transcript as read with UTF-8 (codepoint offsets, end exclusive; a hard line break inside an
excerpt is part of it).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from parentgroup.demo.people import SOURCE_NOTE
from parentgroup.demo.transcripts import Interview

THEMES = [
    "relational_safety", "enhanced_mentalizing", "affect_regulation",
    "transformed_interactions", "reduced_stress", "facilitation_style",
]
EXCERPT_COLUMNS = ["record_id", "theme", "code", "excerpt", "start", "end", "data_source"]
MIN_INTERVIEWS_PER_THEME = 6


def coded_themes(rng: np.random.Generator, n_interviews: int) -> list[list[str]]:
    """Per interview, the themes coded (3-5 of 6), redrawn until each theme has >= 6 interviews."""
    for _attempt in range(1000):
        chosen = []
        for _ in range(n_interviews):
            k = int(rng.integers(3, 6))
            picks = sorted(int(i) for i in rng.choice(len(THEMES), k, replace=False))
            chosen.append([THEMES[i] for i in picks])
        counts = [sum(theme in c for c in chosen) for theme in THEMES]
        if min(counts) >= MIN_INTERVIEWS_PER_THEME:
            return chosen
    raise RuntimeError("no coding met the theme coverage; change the seed")


def excerpt_table(
    interviews: list[Interview], themes: list[list[str]], rng: np.random.Generator
) -> pd.DataFrame:
    """``record_id, theme, code, excerpt, start, end, data_source`` sorted by record and start."""
    rows = []
    chosen: list[tuple[list, list]] = []
    for interview, coded in zip(interviews, themes, strict=True):
        selected = [p for p in interview.passages if p.theme in coded]
        firsts = {}
        for passage in selected:
            firsts.setdefault(passage.theme, passage)
        chosen.append((selected, list(firsts.values())))
    # (theme, passage, wording) of every first excerpt: a second never repeats one of them
    said = {(p.theme, p.code, p.variant) for _, keep in chosen for p in keep}
    for interview, (selected, keep) in zip(interviews, chosen, strict=True):
        if len(keep) < 6 and rng.random() < 0.5:
            seconds = [p for p in selected if p not in keep
                       and (p.theme, p.code, p.variant) not in said]
            if seconds:
                second = seconds[int(rng.integers(len(seconds)))]
                keep.append(second)
                said.add((second.theme, second.code, second.variant))
        for passage in sorted(keep, key=lambda p: p.start):
            excerpt = interview.text[passage.start : passage.end]
            rows.append([interview.record_id, passage.theme, passage.code, excerpt,
                         passage.start, passage.end, SOURCE_NOTE])
    table = pd.DataFrame(rows, columns=EXCERPT_COLUMNS)
    return table.sort_values(["record_id", "start"], kind="stable").reset_index(drop=True)
