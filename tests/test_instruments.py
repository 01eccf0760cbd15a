"""Instrument definitions: the published keys, the schema, site-supplied instruments."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from jsonschema import Draft202012Validator

from parentgroup.instruments import (
    PACKAGE_INSTRUMENT_DIR,
    SCHEMA_PATH,
    load_instruments,
    read_instruments,
    reverse_score,
)
from parentgroup.problems import InputError
from parentgroup.scoring.scales import score_items


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def package_definition(name: str) -> dict:
    return yaml.safe_load((PACKAGE_INSTRUMENT_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def small_scale(name: str = "wellbeing6") -> dict:
    """A 6-item 1-5 instrument the package has never seen."""
    return {
        "name": name,
        "title": "Six-item wellbeing check",
        "citation": "Invented for a test.",
        "items": [{"number": i, "text": f"Statement {i}."} for i in range(1, 7)],
        "response": {
            "min": 1, "max": 5, "anchor_direction": "disagree_to_agree",
            "labels": [{"value": 1, "label": "Never"}, {"value": 5, "label": "Always"}],
        },
        "reverse_keys": [{"anchor_direction": "disagree_to_agree", "items": [2, 5]}],
        "scales": [
            {"id": "total", "label": "Wellbeing", "items": [1, 2, 3, 4, 5, 6],
             "scorings": ["sum", "mean"], "direction": "higher_better"},
        ],
        "missing": {"max_missing": 2},
    }


def test_schema_is_valid_draft_2020_12():
    schema = yaml.safe_load(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_prfq_key_matches_the_published_scoring():
    prfq = load_instruments(["prfq"])["prfq"]
    assert prfq.item_numbers == list(range(1, 19))
    assert (prfq.response_min, prfq.response_max) == (1, 7)
    scales = {s.id: s for s in prfq.scales}
    assert list(scales) == ["pre_mentalizing", "certainty", "interest_curiosity"]
    assert scales["pre_mentalizing"].items == (1, 4, 7, 10, 13, 16)
    assert scales["certainty"].items == (2, 5, 8, 11, 14, 17)
    assert scales["interest_curiosity"].items == (3, 6, 9, 12, 15, 18)
    assert prfq.reverse_items == (11, 18)
    assert all(s.scorings == ("mean",) for s in prfq.scales)
    assert "total" not in scales
    assert [s.direction for s in prfq.scales] == ["lower_better", "mid_optimal", "higher_better"]
    assert "hypermentalizing" in scales["certainty"].interpretation
    assert all(s.max_missing == 1 for s in prfq.scales)
    assert prfq.items[11] == "I can sometimes misunderstand the reactions of my child."
    assert prfq.items[18] == "I believe there is no point in trying to guess what my child feels."
    assert prfq.labels[1] == "Strongly disagree" and prfq.labels[7] == "Strongly agree"


def test_psoc_key_matches_johnston_and_mash():
    psoc = load_instruments(["psoc"])["psoc"]
    assert psoc.item_numbers == list(range(1, 18))
    assert (psoc.response_min, psoc.response_max) == (1, 6)
    scales = {s.id: s for s in psoc.scales}
    assert scales["satisfaction"].items == (2, 3, 4, 5, 8, 9, 12, 14, 16)
    assert scales["efficacy"].items == (1, 6, 7, 10, 11, 13, 15)
    assert scales["total"].items == tuple(range(1, 18))
    assert psoc.anchor_direction == "disagree_to_agree"
    assert psoc.reverse_items == (2, 3, 4, 5, 8, 9, 12, 14, 16)
    assert psoc.reverse_keys["agree_to_disagree"] == (1, 6, 7, 10, 11, 13, 15, 17)
    assert all(set(s.scorings) == {"sum", "mean"} for s in psoc.scales)
    assert all(s.direction == "higher_better" for s in psoc.scales)
    assert psoc.score_range("total", "sum") == (17.0, 102.0)
    assert psoc.score_range("satisfaction", "sum") == (9.0, 54.0)
    assert psoc.score_range("efficacy", "sum") == (7.0, 42.0)
    assert psoc.items[17] == "Being a good mother/parent is a reward in itself."


def test_psoc16_is_psoc_without_item_17():
    psoc16 = load_instruments(["psoc16"])["psoc16"]
    assert psoc16.item_numbers == list(range(1, 17))
    assert psoc16.scale("total").items == tuple(range(1, 17))
    assert psoc16.score_range("total", "sum") == (16.0, 96.0)
    assert psoc16.reverse_keys["agree_to_disagree"] == (1, 6, 7, 10, 11, 13, 15)
    assert psoc16.scale("satisfaction").items == (2, 3, 4, 5, 8, 9, 12, 14, 16)


def test_reverse_score_is_the_published_recode():
    assert [reverse_score(x, 1, 7) for x in range(1, 8)] == [7, 6, 5, 4, 3, 2, 1]   # 8 - x
    assert [reverse_score(x, 1, 6) for x in range(1, 7)] == [6, 5, 4, 3, 2, 1]      # 7 - x


def test_original_psoc_anchors_give_the_same_scores(tmp_path):
    """A site with 1 = strongly agree forms sets anchor_direction and gets identical scores."""
    definition = package_definition("psoc")
    definition["anchor_direction"] = "agree_to_disagree"
    write_yaml(tmp_path / "psoc.yaml", definition)
    original = load_instruments(["psoc"], [tmp_path])["psoc"]
    assert original.reverse_items == (1, 6, 7, 10, 11, 13, 15, 17)
    assert original.labels[1] == "Strongly agree" and original.labels[6] == "Strongly disagree"
    recoded = load_instruments(["psoc"])["psoc"]
    answers = [4, 2, 1, 3, 2, 5, 4, 3, 2, 5, 6, 1, 5, 2, 4, 3, 6]   # 1 = strongly disagree
    agree_first = [7 - x for x in answers]                          # same opinions, 1 = agree
    frame = lambda values: pd.DataFrame({  # noqa: E731
        "pseudonym": "P01", "instrument": "psoc", "item": range(1, 18), "time": "now",
        "value": values,
    })
    a = score_items(frame(answers), {"psoc": recoded})
    b = score_items(frame(agree_first), {"psoc": original})
    pd.testing.assert_frame_equal(a, b)


def test_a_site_adds_an_instrument_by_adding_a_file(tmp_path):
    write_yaml(tmp_path / "wellbeing6.yaml", small_scale())
    instruments = load_instruments(["prfq", "wellbeing6"], extra_dirs=[tmp_path])
    assert list(instruments) == ["prfq", "wellbeing6"]
    scale = instruments["wellbeing6"]
    assert scale.reverse_items == (2, 5) and scale.scale("total").max_missing == 2
    items = pd.DataFrame({"pseudonym": "P01", "instrument": "wellbeing6", "item": range(1, 7),
                          "time": "post", "value": [5, 1, 4, None, 2, 3]})
    scores = score_items(items, {"wellbeing6": scale}).set_index("scoring")
    # 5, (6-1)=5, 4, -, (6-2)=4, 3: mean 21/5 = 4.2; prorated sum 4.2 x 6 = 25.2
    assert scores.loc["mean", "score"] == pytest.approx(4.2)
    assert scores.loc["sum", "score"] == pytest.approx(25.2)
    assert bool(scores.loc["sum", "prorated"])


def test_a_site_file_overrides_the_package_file(tmp_path):
    definition = package_definition("prfq")
    definition["missing"]["max_missing"] = 0
    write_yaml(tmp_path / "prfq.yaml", definition)
    prfq = load_instruments(["prfq"], [tmp_path])["prfq"]
    assert prfq.source == str(tmp_path / "prfq.yaml")
    assert all(s.max_missing == 0 for s in prfq.scales)


def test_declared_recode_maps_minus_three_to_plus_three_onto_one_to_seven(tmp_path):
    definition = package_definition("prfq")
    definition["recode"] = {"from_min": -3, "from_max": 3, "add": 4}
    write_yaml(tmp_path / "prfq.yaml", definition)
    prfq = load_instruments(["prfq"], [tmp_path])["prfq"]
    assert (prfq.presented_min, prfq.presented_max) == (-3, 3)
    values = [-3, 3, 0, -2, 2, -1, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, -3]
    items = pd.DataFrame({"pseudonym": "P01", "instrument": "prfq", "item": range(1, 19),
                          "time": "then", "value": values})
    scores = score_items(items, {"prfq": prfq}).set_index("scale")["score"]
    # PM items 1,4,7,10,13,16: -3,-2,1,0,0,0 -> 1,2,5,4,4,4 -> 20/6
    assert scores["pre_mentalizing"] == pytest.approx(20 / 6)
    # CMS items 2,5,8,11,14,17: 3,2,0,3(->7 -> 8-7=1),0,0 -> 7,6,4,1,4,4 -> 26/6
    assert scores["certainty"] == pytest.approx(26 / 6)
    # IC items 3,6,9,12,15,18: 0,-1,0,0,0,-3(->1 -> 7) -> 4,3,4,4,4,7 -> 26/6
    assert scores["interest_curiosity"] == pytest.approx(26 / 6)


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (lambda d: d.pop("scales"), "scales", "a key 'scales' (missing)"),
        (lambda d: d["scales"][0].update(direction="down"), "scales.0.direction",
         "lower_better"),
        (lambda d: d["scales"][0].update(items=[1, 2, 9]), "scales.0.items",
         "item numbers from 1 to 6"),
        (lambda d: d["reverse_keys"][0].update(items=[7]), "reverse_keys.0.items",
         "item numbers from 1 to 6"),
        (lambda d: d["response"].update(min="one"), "response.min", "Lowest scored response"),
        (lambda d: d.update(colour="red"), "colour", "no key 'colour' here"),
        # a typo is answered with the key meant, not with the whole schema's description
        (lambda d: d.update(titel=d.pop("title")), "titel", "did you mean 'title'?"),
        (lambda d: d["response"].update(maximum=d["response"].pop("max")), "response.maximum",
         "did you mean 'max'?"),
        (lambda d: d.update(anchor_direction="agree_to_disagree"), "anchor_direction",
         "reverse key"),
    ],
)
def test_definition_errors_name_the_file_and_the_key(tmp_path, change, key, words):
    definition = small_scale()
    change(definition)
    write_yaml(tmp_path / "wellbeing6.yaml", definition)
    instruments, problems = read_instruments(["wellbeing6"], [tmp_path])
    assert instruments == {}
    assert problems, "a broken definition must be reported"
    hit = [p for p in problems if p.column == key]
    assert hit, [p.format() for p in problems]
    assert all(p.file == "wellbeing6.yaml" for p in problems)
    assert words in hit[0].format()
    with pytest.raises(InputError) as raised:
        load_instruments(["wellbeing6"], [tmp_path])
    assert "wellbeing6.yaml" in str(raised.value) and key in str(raised.value)


def test_unknown_instrument_and_broken_yaml_are_problems_not_tracebacks(tmp_path):
    (tmp_path / "broken.yaml").write_text("name: broken\nitems: [1, 2\n", encoding="utf-8")
    _, problems = read_instruments(["nosuch", "broken"], [tmp_path])
    messages = [p.format() for p in problems]
    assert any("nosuch.yaml" in m and "instrument file" in m for m in messages)
    assert any("broken.yaml" in m and "valid YAML" in m for m in messages)


def test_file_name_and_instrument_name_must_agree(tmp_path):
    write_yaml(tmp_path / "other.yaml", small_scale("wellbeing6"))
    _, problems = read_instruments(["other"], [tmp_path])
    assert [p.column for p in problems] == ["name"]


def one_item_rating(name: str = "goal") -> dict:
    """A single 0-10 goal rating (a one-item instrument, e.g. a goal-based outcome)."""
    return {
        "name": name,
        "title": "Goal rating",
        "citation": "Invented for a test.",
        "items": [{"number": 1, "text": "How close are you to your goal?"}],
        "response": {"min": 0, "max": 10, "anchor_direction": "disagree_to_agree",
                     "labels": [{"value": 0, "label": "Not at all"},
                                {"value": 10, "label": "Reached"}]},
        "scales": [{"id": "goal", "label": "Goal rating", "items": [1], "scorings": ["mean"],
                    "direction": "higher_better"}],
    }


def test_a_one_item_instrument_is_accepted_and_scored(tmp_path):
    write_yaml(tmp_path / "goal.yaml", one_item_rating())
    instruments, problems = read_instruments(["goal"], extra_dirs=[tmp_path])
    assert problems == []
    goal = instruments["goal"]
    assert goal.score_range("goal", "mean") == (0, 10)
    items = pd.DataFrame({"pseudonym": ["P01", "P02"], "instrument": "goal", "item": 1,
                          "time": "post", "value": [7, None]})
    scores = score_items(items, {"goal": goal}).set_index("pseudonym")
    assert scores.loc["P01", "score"] == 7
    assert pd.isna(scores.loc["P02", "score"])  # max_missing 1 would prorate from 0 items: no
