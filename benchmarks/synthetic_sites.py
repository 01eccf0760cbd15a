"""Synthetic sites for the benchmarks: many copies of the demo, one large generated site, or a
consortium of generated controlled sites.

The large site has a roster, attendance and a retrospective PRFQ + PSOC questionnaire for n
parents (fictional names built from the index), and no interviews: it measures the quantitative
chain and the leak check at scale. The controlled sites (:func:`arm_sites`) each have an
intervention and a waitlist arm rated pre and post, so the controlled analysis and the pooled
one- and two-stage between-arm models run at consortium scale. Everything is seeded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

FIRST = ["Aisha", "Ben", "Carys", "Dev", "Elin", "Femi", "Gwen", "Hari", "Ines", "Jonah"]
LAST = ["Abbott", "Bramley", "Carver", "Dunmore", "Ellery", "Fairweather", "Gosling", "Hartigan"]


#: A generated site's identifiers file: its files name no member of staff, school or town, and
#: every site states so (README: 'Bring your own data').
NO_SITE_NAMES = "staff: {}\nschool: []\ntown: []\n"


def copy_demo_sites(repo: Path, count: int) -> dict:
    """``count`` sites, each a copy of the demo folder; returns their ``sites:`` config."""
    demo = repo / "data/raw/demo"
    sites = {}
    for i in range(1, count + 1):
        name = f"bench{i:03d}"
        target = repo / "data/raw" / name
        if not target.exists():
            shutil.copytree(demo, target)
        sites[name] = {"data_dir": f"data/raw/{name}", "synthetic": True}
    return sites


def _roster(ids: list[str], first: list[str], last: list[str], phones: list[str],
            rng: np.random.Generator) -> pd.DataFrame:
    """A generated roster.csv: names, contact details and child characteristics per parent
    (gender, diagnosis and relationship drawn from ``rng`` in that order)."""
    n = len(ids)
    return pd.DataFrame(
        {
            "record_id": ids,
            "parent_name": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
            "child_name": [f"Kid{f} {s}" for f, s in zip(first, last, strict=True)],
            # addresses built from the names, as people's are ("parent00001@..." would make the
            # word "parent" an identifier of every participant for the leak check)
            "email": [f"{f.lower()}.{s.lower()}@example.org"
                      for f, s in zip(first, last, strict=True)],
            "phone": phones,
            "postcode": "ZZ99 9ZZ",
            "child_dob": [f"{2012 + i % 8}-0{1 + i % 9}-1{i % 10}" for i in range(n)],
            "child_gender": rng.choice(["girl", "boy"], n),
            "child_diagnosis": rng.choice(["autism", "ADHD", "ODD", "SEMH"], n),
            "relationship": rng.choice(["mother", "father"], n, p=[0.8, 0.2]),
            "group": "Group A",
            "consent_quotes": "yes",
            "reason_left": "",
        }
    )


def large_site(repo: Path, n: int, seed: int = 5000, sessions: int = 10) -> dict:
    """One generated site of ``n`` parents; returns its ``sites:`` config entry."""
    rng = np.random.default_rng(seed)
    name = f"large{n}"
    folder = repo / "data/raw" / name
    folder.mkdir(parents=True, exist_ok=True)
    ids = [f"L{i:05d}" for i in range(n)]
    first = [f"{FIRST[i % len(FIRST)]}{chr(65 + (i // 10) % 26)}{chr(65 + (i // 260) % 26)}x"
             for i in range(n)]
    last = [f"{LAST[i % len(LAST)]}{i:05d}" for i in range(n)]
    _roster(ids, first, last, [f"07700 9{i % 100000:05d}" for i in range(n)], rng).to_csv(
        folder / "roster.csv", index=False)
    attended = rng.random((n, sessions)) < 0.8
    attendance = pd.DataFrame(
        {
            "record_id": np.repeat(ids, sessions),
            "session": np.tile(np.arange(1, sessions + 1), n),
            "attended": attended.ravel().astype(int),
        }
    )
    attendance.to_csv(folder / "attendance.csv", index=False)
    columns = {"record_id": ids}
    for instrument, items, top in (("prfq", 18, 7), ("psoc", 17, 6)):
        for time, shift in (("then", 0.0), ("now", 0.8)):
            latent = rng.normal(top / 2 + shift * (1 if instrument == "psoc" else 0.5), 1.0, n)
            for item in range(1, items + 1):
                values = np.clip(np.rint(latent + rng.normal(0, 0.8, n)), 1, top)
                columns[f"{instrument}_{item:02d}_{time}"] = values.astype(int)
    pd.DataFrame(columns).to_csv(folder / "questionnaire.csv", index=False)
    (folder / "identifiers.yaml").write_text(NO_SITE_NAMES, encoding="utf-8")
    return {
        name: {
            "data_dir": f"data/raw/{name}",
            "synthetic": True,
            "sessions": sessions,
            "transcripts": "",
            "coding": {"file": ""},
        }
    }


def _names(tag: str, n: int) -> tuple[list[str], list[str]]:
    """Fictional first and last names, unique within and across sites (``tag`` is the site's)."""
    first = [f"{FIRST[i % len(FIRST)]}{chr(65 + (i // 10) % 26)}{tag}x" for i in range(n)]
    last = [f"{LAST[i % len(LAST)]}{tag}{i:03d}" for i in range(n)]
    return first, last


def reverse_keyed(repo: Path, instrument: str) -> set[int]:
    """The items the instrument file reverses at its declared anchor direction."""
    definition = yaml.safe_load(
        (repo / "workflow/instruments" / f"{instrument}.yaml").read_text(encoding="utf-8"))
    anchor = definition.get("anchor_direction", "disagree_to_agree")
    return {item for key in definition.get("reverse_keys", [])
            if key.get("anchor_direction", anchor) == anchor for item in key["items"]}


def arm_site(repo: Path, index: int, n_per_arm: int = 12, seed: int = 6000,
             sessions: int = 10) -> dict:
    """One generated controlled site (``arms###``): ``n_per_arm`` intervention and as many
    waitlist parents, PRFQ and PSOC rated pre and post (prospective design), the intervention's
    effect varying between sites (site effect ~ N(0.5, 0.2) on the latent scale) and the waitlist
    changing by noise only; attendance 0 for the waitlist. Returns its ``sites:`` entry."""
    rng = np.random.default_rng([seed, index])
    name = f"arms{index:03d}"
    folder = repo / "data/raw" / name
    folder.mkdir(parents=True, exist_ok=True)
    n = 2 * n_per_arm
    ids = [f"A{index:03d}-{i:03d}" for i in range(n)]
    tag = chr(65 + index % 26) + chr(65 + (index // 26) % 26)
    first, last = _names(tag, n)
    arm = ["intervention"] * n_per_arm + ["comparison"] * n_per_arm
    _roster(ids, first, last, [f"07700 8{index:02d}{i:03d}" for i in range(n)], rng).assign(
        arm=arm).to_csv(folder / "roster.csv", index=False)
    treated = np.array([a == "intervention" for a in arm])
    attended = (rng.random((n, sessions)) < 0.8) & treated[:, None]
    pd.DataFrame({
        "record_id": np.repeat(ids, sessions),
        "session": np.tile(np.arange(1, sessions + 1), n),
        "attended": attended.ravel().astype(int),
    }).to_csv(folder / "attendance.csv", index=False)
    effect = rng.normal(0.5, 0.2)
    site_level = rng.normal(0, 0.3)
    columns = {"record_id": ids}
    for instrument, items, top, sign in (("prfq", 18, 7, -1), ("psoc", 17, 6, 1)):
        reversed_items = reverse_keyed(repo, instrument)
        person = rng.normal(top / 2 + site_level, 0.8, n)
        for time in ("pre", "post"):
            shift = sign * effect * treated if time == "post" else 0.0
            latent = person + shift + rng.normal(0, 0.4, n)
            for item in range(1, items + 1):
                values = np.clip(np.rint(latent + rng.normal(0, 0.8, n)), 1, top)
                if item in reversed_items:  # answered so that the scored item follows the latent
                    values = (1 + top) - values
                columns[f"{instrument}_{item:02d}_{time}"] = values.astype(int)
    pd.DataFrame(columns).to_csv(folder / "questionnaire.csv", index=False)
    (folder / "identifiers.yaml").write_text(NO_SITE_NAMES, encoding="utf-8")
    return {name: {"data_dir": f"data/raw/{name}", "synthetic": True, "sessions": sessions,
                   "design": "prospective", "transcripts": "", "coding": {"file": ""}}}


def arm_sites(repo: Path, count: int, n_per_arm: int = 12, seed: int = 6000) -> dict:
    """``count`` generated controlled sites (:func:`arm_site`); returns their ``sites:`` config."""
    sites = {}
    for index in range(1, count + 1):
        sites.update(arm_site(repo, index, n_per_arm, seed))
    return sites


def write_config(repo: Path, sites: dict, name: str, **overrides) -> Path:
    """A complete config with only these sites (and any top-level key replaced by
    ``overrides``), used with --replace-workflow-config."""
    base = yaml.safe_load((repo / "config.yaml").read_text(encoding="utf-8"))
    base["sites"] = sites
    base.update(overrides)
    path = repo / f"bench-{name}.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    return path
