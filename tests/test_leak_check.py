"""The leak check, tested the way de-identification scanners are (anonymisation reference §7(d)):
a clean set of outputs passes; an identifier planted in a processed table, a figure (SVG title,
PNG and PDF metadata), the HTML report (as an entity, split by a tag), a phone with other spacing,
a postcode without its space, a name split across a line break or a file name makes it fail with
a message naming pseudonym, field, file and offset and never the identifier; removed again, the
scan passes. Decoys ("a grace period", "Will you come?", "it may rain") are not hits."""

from __future__ import annotations

import base64
import io
import json
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from parentgroup.leak_check import LeakFound, check_site  # noqa: E402
from parentgroup.leak_check.needles import build_needles  # noqa: E402
from parentgroup.leak_check.reporting import format_hits  # noqa: E402
from parentgroup.leak_check.scanning import LeakHit, scan_paths  # noqa: E402

ROSTER = pd.DataFrame(
    {
        "record_id": ["T-101", "T-102", "T-103", "T-104"],
        "parent_name": ["Siobhan O'Neil", "Will Fairbrother", "Zoë Smith-Jones", "Ravi Kapoor"],
        "parent_nicknames": ["Shiv", "", "Zo", ""],
        "child_name": ["Grace O'Neil", "Tobias Fairbrother", "Maisie Smith-Jones", "Anjali Kapoor"],
        "child_nicknames": ["Gracie", "Toby", "", "Anj"],
        "partner_name": ["", "May Fairbrother", "", ""],
        "sibling_names": ["", "", "Rufus Smith-Jones;Ottilie Smith-Jones", ""],
        "email": ["shiv.oneil@example.org", "will.f@hillcrest.sch.uk", "zoe@example.net",
                  "ravi.kapoor@example.com"],
        "phone": ["07700 900111", "020 7946 0222", "+44 7700 900333", "(01632) 960 444"],
        "postcode": ["ZZ99 1AA", "ZZ99 2BB", "ZZ99 3CC", "ZZ99 4DD"],
        "child_dob": ["2014-03-09", "2013-11-21", "2015-06-30", "2012-01-17"],
        "child_gender": ["girl", "boy", "girl", "girl"],
    }
)
DIRECT = ["parent_name", "parent_nicknames", "child_name", "child_nicknames", "partner_name",
          "sibling_names", "email", "phone", "postcode", "child_dob"]
IDENTIFIERS = {"staff": {"Priya Ramaswamy": "Teacher"},
               "school": ["Hillcrest Academy", "Hillcrest"],
               "town": ["Little Brampton"], "leak_allow_list": []}
IDENTIFIERS_YAML = """staff: {"Priya Ramaswamy": Teacher}
school: ["Hillcrest Academy", "Hillcrest"]
town: ["Little Brampton"]
"""
KEY = pd.DataFrame({"record_id": ["T-101", "T-102", "T-103", "T-104"],
                    "pseudonym": ["P02", "P03", "P01", "P04"]})
#: Every identifier value and part a message could leak (checked case-insensitively).
SECRETS = ["Siobhan", "O'Neil", "ONeil", "Fairbrother", "Smith-Jones", "Smith", "Jones", "Zoë",
           "Zoe", "Tobias", "Maisie", "Rufus", "Ottilie", "Kapoor", "Anjali", "Ravi", "Gracie",
           "Toby", "Shiv", "900111", "7946", "900333", "960 444", "ZZ99", "1AA", "2014-03-09",
           "09/03/2014", "Ramaswamy", "Priya", "Hillcrest", "Brampton", "T-101", "example.org"]


def _figure(path: Path, *, title: str = "Change in pre-mentalizing, P01-P04", metadata=None,
            fmt: str | None = None) -> None:
    figure, axis = plt.subplots(figsize=(3, 2))
    axis.plot([1, 2], [3.0, 3.6], marker="o", label="P01")
    axis.plot([1, 2], [2.5, 3.1], marker="o", label="P02")
    axis.set_xticks([1, 2], ["then", "now"])
    axis.set_title(title)
    axis.legend()
    figure.savefig(path, metadata=metadata, format=fmt)
    plt.close(figure)


def _write_clean(root: Path) -> None:
    (root / "processed").mkdir(parents=True)
    (root / "results").mkdir()
    (root / "logs").mkdir()
    pd.DataFrame({"pseudonym": ["P01", "P02", "P03", "P04"], "group": ["Group A"] * 4,
                  "excerpt": ["It was a grace period for us.", "Will you come? I asked him.",
                              "They said it may rain, so we stayed in.", "[Child of P04] was calm"],
                  "score": [3.5, 4.0, 2.25, 5.0]}).to_csv(
        root / "processed" / "coded_excerpts.csv", index=False, lineterminator="\n")
    for ext in ("png", "svg", "pdf"):
        _figure(root / "results" / f"change.{ext}")
    png = io.BytesIO()
    _figure(png, fmt="png")
    embedded = base64.b64encode(png.getvalue()).decode()
    (root / "results" / "report.html").write_text(
        "<html><head><title>Parent learning group</title>"
        '<meta name="author" content="Evaluation team"></head><body>'
        "<h1>Report</h1><p>P01 said: &ldquo;it was a grace period&rdquo;. Will you come? "
        "It may rain.</p><p>[Teacher] at [School] in [Town] thanked P03&#39;s family.</p>"
        f'<img alt="Change for P01-P04" title="Figure 1" src="data:image/png;base64,{embedded}">'
        "<table><tr><td>P01</td><td>3.5</td></tr></table></body></html>",
        encoding="utf-8",
    )
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Report\n", "P01 and P02\n"]},
            {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": ["print(n)"],
             "outputs": [{"output_type": "stream", "name": "stdout", "text": ["12 parents\n"]},
                         {"output_type": "display_data", "metadata": {},
                          "data": {"image/png": embedded, "text/plain": ["<Figure>"]}}]},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    (root / "results" / "report.ipynb").write_text(json.dumps(notebook, indent=1),
                                                   encoding="utf-8")
    (root / "logs" / "score.log").write_text(
        "INFO scored 4 parents (P01-P04) on 2026-03-21\nINFO 12 sessions\n", encoding="utf-8")


@pytest.fixture(scope="module")
def clean_template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("clean") / "site"
    _write_clean(root)
    return root


@pytest.fixture
def site(tmp_path, clean_template) -> dict:
    outputs = tmp_path / "out"
    shutil.copytree(clean_template, outputs)
    secure = tmp_path / "secure"
    secure.mkdir()
    ROSTER.to_csv(secure / "roster.csv", index=False)
    KEY.to_csv(secure / "linkage_key.csv", index=False)
    (secure / "identifiers.yaml").write_text(IDENTIFIERS_YAML, encoding="utf-8")
    return dict(roster_path=secure / "roster.csv", identifiers_path=secure / "identifiers.yaml",
                key_path=secure / "linkage_key.csv", direct_identifiers=DIRECT, roots=[outputs],
                summary_path=tmp_path / "leak_check.txt")


def _needles():
    return build_needles(ROSTER, IDENTIFIERS, DIRECT, KEY)


def _assert_safe(text: str) -> None:
    # the test's own temporary folder is not output: pytest numbers it (pytest-101 holds the
    # record id T-101), so the folders before out are dropped from the paths first
    text = re.sub(r"\S*/(?=out\b)", "", text)
    for secret in SECRETS:
        assert secret.casefold() not in text.casefold(), secret


def test_needles_cover_the_variants_and_apply_the_common_word_rule():
    needles = {(n.participant, n.field, n.view, n.text) for n in _needles()}
    assert ("P01", "parent_name", "folded", "zoe smith-jones") in needles  # accent folded
    assert ("P01", "parent_name", "folded", "smithjones") in needles
    assert ("P01", "parent_name", "folded", "jones") in needles  # half of a hyphenated name
    assert ("P02", "parent_name", "folded", "oneil") in needles
    assert ("P02", "parent_name", "folded", "o neil") in needles
    assert ("P02", "child_name", "cased", "Grace") in needles  # common word: cased only
    assert ("P02", "child_name", "folded", "grace") not in needles
    assert ("P03", "partner_name", "cased", "May") in needles
    assert ("P02", "phone", "digits", "07700900111") in needles
    assert ("P02", "phone", "digits", "447700900111") in needles
    assert ("P01", "phone", "digits", "07700900333") in needles
    assert ("P02", "postcode", "folded", "zz991aa") in needles
    assert ("P02", "child_dob", "digits", "09032014") in needles
    assert ("P02", "child_dob", "folded", "9th march 2014") in needles
    assert ("P03", "email domain", "folded", "hillcrest.sch.uk") in needles
    assert ("site", "staff", "folded", "ramaswamy") in needles
    assert ("site", "school", "folded", "hillcrest academy") in needles
    assert not any(n[3] in {"zo", "anj"[:2]} for n in needles)  # < 3 letters: not searched
    no_key = build_needles(ROSTER, IDENTIFIERS, DIRECT, None)
    assert {n.participant for n in no_key} == {"roster row 2", "roster row 3", "roster row 4",
                                               "roster row 5", "site"}
    assert all("Ravi" not in repr(n) for n in no_key)  # repr never shows the identifier


def test_clean_outputs_pass_and_decoys_are_not_hits(site):
    assert check_site(**site) == 7
    summary = site["summary_path"].read_text(encoding="utf-8")
    assert "hits: 0" in summary
    assert ".pdf 1" in summary and ".ipynb 1" in summary and ".png 1" in summary
    # the summary passes the check itself
    assert scan_paths([site["summary_path"]], _needles()) == []


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("it was a grace period", False),
        ("Will you come?", False),
        ("it may rain", False),
        ("\u201cGrace period.\u201d Will it rain? May be.", False),
        ("we thanked Grace for the tea", True),
        ("we met Will and May at the door", True),
        ("GRACE O'NEIL called", True),  # the full name is matched case-folded
        ("a rose and a grant", False),
    ],
)
def test_common_word_rule(tmp_path, text, hit):
    (tmp_path / "note.txt").write_text(text, encoding="utf-8")
    assert bool(scan_paths([tmp_path], _needles(), base=tmp_path)) is hit


def test_allow_list_suppresses_a_reviewed_collision(tmp_path):
    (tmp_path / "refs.md").write_text("See the Kapoor Report (2019).", encoding="utf-8")
    assert scan_paths([tmp_path], _needles(), base=tmp_path)
    allowed = {**IDENTIFIERS, "leak_allow_list": ["Kapoor Report"]}
    needles = build_needles(ROSTER, allowed, DIRECT, KEY)
    assert scan_paths([tmp_path], needles, base=tmp_path, allow_list=["Kapoor Report"]) == []


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _plant_csv(root: Path) -> None:
    _replace(root / "processed/coded_excerpts.csv", "[Child of P04] was calm",
             "Anjali was calm")


def _plant_svg_title(root: Path) -> None:
    _figure(root / "results/change.svg", title="Maisie at home")


def _plant_png_metadata(root: Path) -> None:
    _figure(root / "results/change.png", metadata={"Title": "Rufus Smith-Jones"})


def _plant_pdf_metadata(root: Path) -> None:
    _figure(root / "results/change.pdf", metadata={"Author": "Zoë Smith-Jones"})


def _plant_html_entity_and_tag(root: Path) -> None:
    _replace(root / "results/report.html", "thanked P03&#39;s family",
             "thanked Mrs O&#39;<b>Neil</b>")


def _plant_phone_spacing(root: Path) -> None:
    _replace(root / "logs/score.log", "INFO 12 sessions", "INFO ring 0770 090 0111")


def _plant_postcode_no_space(root: Path) -> None:
    _replace(root / "results/report.html", "It may rain.", "It may rain in zz992bb.")


def _plant_line_break(root: Path) -> None:
    _replace(root / "logs/score.log", "INFO 12 sessions", "INFO spoke to Tobias\n   Fairbrother")


def _plant_file_name(root: Path) -> None:
    (root / "processed" / "ottilie_notes.txt").write_text("P01\n", encoding="utf-8")


def _plant_notebook_output(root: Path) -> None:
    _replace(root / "results/report.ipynb", "12 parents", "Toby was calmer")


def _plant_dob(root: Path) -> None:
    _replace(root / "logs/score.log", "INFO 12 sessions", "INFO born 9/3/2014")


def _plant_staff(root: Path) -> None:
    _replace(root / "results/report.html", "[Teacher] at [School]",
             "Ms Ramaswamy at [School]")


MUTATIONS = [
    # (plant, participant, field, file, view)
    (_plant_csv, "P04", "child_name", "processed/coded_excerpts.csv", "text"),
    (_plant_svg_title, "P01", "child_name", "results/change.svg", "text"),
    (_plant_png_metadata, "P01", "sibling_names", "results/change.png", "png-metadata"),
    (_plant_pdf_metadata, "P01", "parent_name", "results/change.pdf", "pdf-metadata"),
    (_plant_html_entity_and_tag, "P02", "parent_name", "results/report.html",
     "markup-unescaped"),
    (_plant_phone_spacing, "P02", "phone", "logs/score.log", "text"),
    (_plant_postcode_no_space, "P03", "postcode", "results/report.html", "text"),
    (_plant_line_break, "P03", "child_name", "logs/score.log", "text"),
    (_plant_file_name, "P01", "sibling_names", "processed/<name withheld>.txt", "filename"),
    (_plant_notebook_output, "P03", "child_nicknames", "results/report.ipynb",
     "notebook cell 2 outputs"),
    (_plant_dob, "P02", "child_dob", "logs/score.log", "text"),
    (_plant_staff, "site", "staff", "results/report.html", "text"),
]


@pytest.mark.parametrize(("plant", "participant", "field", "file", "view"), MUTATIONS,
                         ids=[m[0].__name__[len("_plant_"):] for m in MUTATIONS])
def test_a_planted_identifier_fails_the_check_without_being_named(
    site, plant, participant, field, file, view
):
    root = site["roots"][0]
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    plant(root)
    with pytest.raises(LeakFound) as error:
        check_site(**site)
    message = str(error.value)
    summary = site["summary_path"].read_text(encoding="utf-8")
    expected = f"LEAK: {participant}, field {field}, in out/{file} at offset"
    # file names are shown relative to the working directory; compare the tail
    assert any(line.startswith(f"LEAK: {participant}, field {field}, in ")
               and f"out/{file} at offset" in line and line.endswith(f"({view} view)")
               for line in message.splitlines()), (expected, message)
    assert "hits: 0" not in summary and f"{participant}, field {field}" in summary
    _assert_safe(message)
    _assert_safe(summary)
    # removed again, the scan passes
    for path in [p for p in root.rglob("*") if p.is_file()]:
        if path in before:
            path.write_bytes(before[path])
        else:
            path.unlink()
    assert check_site(**site) == 7


def test_the_offset_points_at_the_identifier(tmp_path):
    text = "pseudonym,excerpt\nP04,\u201cwe asked Anjali\u201d\n"
    (tmp_path / "quotes.csv").write_text(text, encoding="utf-8")
    hits = scan_paths([tmp_path], _needles(), base=tmp_path)
    assert hits == [LeakHit("P04", "child_name", "quotes.csv", text.index("Anjali"), "text")]
    assert format_hits(hits) == (
        "LEAK: P04, field child_name, in quotes.csv at offset 32 (text view)")


def test_spss_files_are_scanned(tmp_path):
    import pyreadstat

    frame = pd.DataFrame({"pseudonym": ["P01", "P02"], "score": [1.0, 2.0]})
    pyreadstat.write_sav(frame, str(tmp_path / "scores.sav"),
                         column_labels={"score": "PSOC total"})
    assert scan_paths([tmp_path], _needles(), base=tmp_path) == []
    pyreadstat.write_sav(frame, str(tmp_path / "scores.sav"),
                         column_labels={"score": "Score for Siobhan"})
    assert [(h.participant, h.view) for h in scan_paths([tmp_path], _needles(), base=tmp_path)
            ] == [("P02", "sav")]


@pytest.mark.parametrize(("text", "hit"), [
    ("Python 3.11.7 (main, May  9 2026, 07:35:25)", False),
    ("we met on 9 May and talked", False),
    ("the 3rd of May was sunny", False),
    ("thanks to May for the lift", True),
    ("May said hello", False),  # sentence start: the common-word rule
])
def test_a_month_in_a_date_is_not_a_common_word_name(tmp_path, text, hit):
    (tmp_path / "note.txt").write_text(text, encoding="utf-8")
    assert bool(scan_paths([tmp_path], _needles(), base=tmp_path)) is hit


CITED = pd.DataFrame({
    "record_id": ["C-201", "C-202"],
    "parent_name": ["Siobhan Murphy", "Dan Clarke"],
    "child_name": ["Ava Murphy", "Leo Fonagy"],
})


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        # the package's own citations and reference list: not hits
        ("<p>quality (O'Cathain, Murphy &amp; Nicholl 2008) and themes (Braun &amp; Clarke "
         "2006, 2022)</p>", False),
        ("<li>Luyten, P., Mayes, L. C., Nijssens, L., &amp; Fonagy, P. (2017). The Parental "
         "Reflective Functioning Questionnaire.</li><li>Braun, V., &amp; Clarke, V. (2006). "
         "Using thematic analysis in psychology.</li>", False),
        ("following Chelouche-Dwek & Fonagy, 2026 and Luyten et al. (2017)", False),
        # the same surnames as data: hits
        ('<td class="quote">Mrs Murphy said the group helped</td>', True),
        ("pseudonym,surname\nP01,Clarke\n", True),
        ("we spoke to Murphy, 2008 was a hard year", True),  # not the first author of 2008
        ("Braun & Clarke 2019", True),  # no listed work of that year
        ("(O'Cathain, Murphy & Nicholl 2008) and then Siobhan", True),  # a first name elsewhere
    ],
)
def test_a_cited_authors_surname_is_a_hit_only_outside_a_citation(tmp_path, text, hit):
    """A parent who shares a surname with a cited author (no allow-list entry needed)."""
    (tmp_path / "report.html").write_text(text, encoding="utf-8")
    needles = build_needles(CITED, {}, ["parent_name", "child_name"], None)
    assert bool(scan_paths([tmp_path], needles, base=tmp_path)) is hit


def test_pdf_views_read_every_stream_but_an_images_pixels(monkeypatch):
    """A PDF's image XObjects (the report's figures, their alpha masks) hold pixels, not text:
    their streams are neither inflated nor scanned (they were most of the bytes the check
    inflated), while a text stream and every dictionary, the image's included, still are."""
    import zlib

    from parentgroup.leak_check import views

    def obj(number: int, head: bytes, stream: bytes) -> bytes:
        return (b"%d 0 obj\n<< " % number + head + b" /Length %d >>\nstream\n" % len(stream)
                + stream + b"\nendstream\nendobj\n")

    text = zlib.compress(b"BT /F1 12 Tf (Marigold Featherstonehaugh) Tj ET")
    pixels = zlib.compress(b"Zebedee Quarterman " * 50)
    pdf = (b"%PDF-1.7\n" + obj(4, b"/Filter /FlateDecode", text)
           + obj(5, b"/Type /XObject /Subtype /Image /Width 10 /Height 1 /Alt (Pixie Lott)"
                    b" /Filter /FlateDecode", pixels)
           + obj(6, b"/Subtype/Image /Filter /FlateDecode", pixels) + b"%%EOF\n")
    inflated = []
    real = zlib.decompress
    monkeypatch.setattr(views.zlib, "decompress", lambda data, *a: inflated.append(data)
                        or real(data, *a))
    shown = "\n".join(view.text for view in views._pdf_views(pdf))
    assert "Marigold Featherstonehaugh" in shown and "Pixie Lott" in shown
    assert "Zebedee" not in shown and pixels not in inflated


def test_a_failing_check_moves_the_flagged_files_into_the_secure_folder(site, tmp_path):
    """A hit fails the run and the files that hold an identifier leave the shared folders (a
    file inside a Snakemake directory output with its whole directory, which Snakemake rebuilds
    only when it is missing); the message lists them by path, never the identifier."""
    root = site["roots"][0]
    figures = root / "results" / "figures"
    figures.mkdir()
    (figures / ".snakemake_timestamp").touch()
    (figures / "figures.csv").write_text("figure,caption\nchange,Change\n", encoding="utf-8")
    _figure(figures / "change.svg", title="Maisie at home")
    _plant_html_entity_and_tag(root)
    _plant_file_name(root)
    quarantine = tmp_path / "secure" / "site" / "quarantine"
    (quarantine / "results").mkdir(parents=True)
    (quarantine / "results" / "old.txt").write_text("an earlier failure", encoding="utf-8")
    with pytest.raises(LeakFound) as error:
        check_site(**site, quarantine=quarantine)
    message = str(error.value)
    _assert_safe(message)
    moved_lines = [line for line in message.splitlines() if line.startswith("MOVED: ")]
    assert [line.rsplit("out/", 1)[-1] for line in moved_lines] == [
        "processed/<name withheld>.txt", "results/figures/", "results/report.html"]
    assert f"moved out of the shared folders into {quarantine.as_posix()}/" in message
    assert "MOVED: " in site["summary_path"].read_text(encoding="utf-8")
    # gone from the outputs, kept in the secure folder under their own paths, owner-only
    assert not (root / "results" / "report.html").exists() and not figures.exists()
    assert not (root / "processed" / "ottilie_notes.txt").exists()
    kept = quarantine / root.relative_to(root.anchor)
    assert "O&#39;<b>Neil</b>" in (kept / "results" / "report.html").read_text(encoding="utf-8")
    assert (kept / "results" / "figures" / "change.svg").is_file()
    assert (kept / "results" / "figures" / "figures.csv").is_file()  # the whole directory
    assert (kept / "processed" / "ottilie_notes.txt").is_file()
    assert (quarantine / "results" / "old.txt").is_file()
    assert (kept / "results" / "report.html").stat().st_mode & 0o777 == 0o600
    assert (kept / "results" / "figures").stat().st_mode & 0o777 == 0o700
    assert quarantine.stat().st_mode & 0o777 == 0o700
    # everything else stays; what is left passes
    assert (root / "results" / "change.pdf").is_file()
    assert (root / "processed" / "coded_excerpts.csv").is_file()
    assert check_site(**site, quarantine=quarantine) == 6
    # a later failure replaces the file quarantined before
    (root / "results" / "report.html").write_text("<p>Mrs O'Neil</p>", encoding="utf-8")
    with pytest.raises(LeakFound):
        check_site(**site, quarantine=quarantine)
    assert (kept / "results" / "report.html").read_text(encoding="utf-8") == "<p>Mrs O'Neil</p>"


def test_without_a_quarantine_folder_nothing_is_moved(site):
    _plant_csv(site["roots"][0])
    with pytest.raises(LeakFound) as error:
        check_site(**site)
    assert "MOVED" not in str(error.value)
    assert (site["roots"][0] / "processed" / "coded_excerpts.csv").is_file()
