"""Synthetic sites for the benchmarks: many copies of the demo, or one large generated site.

The large site has a roster, attendance and a retrospective PRFQ + PSOC questionnaire for n
parents (fictional names built from the index), and no interviews: it measures the quantitative
chain and the leak check at scale. Everything is seeded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

FIRST = ["Aisha", "Ben", "Carys", "Dev", "Elin", "Femi", "Gwen", "Hari", "Ines", "Jonah"]
LAST = ["Abbott", "Bramley", "Carver", "Dunmore", "Ellery", "Fairweather", "Gosling", "Hartigan"]


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
    roster = pd.DataFrame(
        {
            "record_id": ids,
            "parent_name": [f"{f} {s}" for f, s in zip(first, last, strict=True)],
            "child_name": [f"Kid{f} {s}" for f, s in zip(first, last, strict=True)],
            # addresses built from the names, as people's are ("parent00001@..." would make the
            # word "parent" an identifier of every participant for the leak check)
            "email": [f"{f.lower()}.{s.lower()}@example.org"
                      for f, s in zip(first, last, strict=True)],
            "phone": [f"07700 9{i % 100000:05d}" for i in range(n)],
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
    roster.to_csv(folder / "roster.csv", index=False)
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
    return {
        name: {
            "data_dir": f"data/raw/{name}",
            "synthetic": True,
            "sessions": sessions,
            "transcripts": "",
            "coding": {"file": ""},
        }
    }


def write_config(repo: Path, sites: dict, name: str, **overrides) -> Path:
    """A complete config with only these sites (and any top-level key replaced by
    ``overrides``), used with --replace-workflow-config."""
    base = yaml.safe_load((repo / "config.yaml").read_text(encoding="utf-8"))
    base["sites"] = sites
    base.update(overrides)
    path = repo / f"bench-{name}.yaml"
    path.write_text(yaml.safe_dump(base, sort_keys=False), encoding="utf-8")
    return path
