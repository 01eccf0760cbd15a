"""Red team with inputs unlike the demo (issue 17; the guide: "other names, other tools, other
encodings"). A synthetic site whose names the demo lacks: diacritics (Zoë, Łukasz Wiśniewski,
Siobhán Ní Bhriain, José, a member of staff Gráinne Ó Súilleabháin written with her title),
apostrophes and hyphens (O'Neill, D'Souza, Smith-Jones), names in transcripts in other forms
(possessives, capitals, without accents or the stroke of Ł, apostrophe as a space, nicknames from
the roster's ``*_nicknames`` columns, initials), transcripts saved as UTF-8 with a BOM and CRLF,
Windows-1252, Latin-1 and UTF-16, and files no reader can decode safely.

Checked through the package's entry points: the transcript reader
(:func:`parentgroup.inputs.transcripts.read_transcripts`), the redactor and the review list as
the anonymise stage runs them (:class:`~parentgroup.anonymisation.redaction.Redactor`,
``review_items``, ``initials_items``, ``name_review_items``), and the leak check's scanner over
every shared output format (CSV, HTML, PDF, DOCX, PNG, SVG, ipynb).

Defects these found (each fixed; the tests fail on the code before the fix):
- "Lukasz" / "LUKASZ" (Łukasz typed without its stroke) survived redaction and the leak check:
  NFKD does not take Ł apart, so neither folded it to L.
- "O Neill", "D Souza" (the apostrophe typed as a space) survived redaction.
- "Ní Bhriain" left "Ni" behind: a surname of several words was never a variant.
- A staff name written with its title ("Ms Gráinne Ó Súilleabháin") made "Ms" a name and never
  "Gráinne": every "Ms" in every transcript became "[Facilitator]", while her first name stayed.
- Initials ("LW said", "Ł.W.") were neither redacted nor on the review list.
- Either part of a hyphenated first name ("Jean" or "Luc" for Jean-Luc) survived, and at a
  sentence start was not on the review list either.
- A UTF-16 transcript (Notepad's "Unicode") was read as Windows-1252 with a warning only: every
  name in it was mojibake that neither the redactor nor the leak check could find. So was a
  transcript already garbled by a second decoding ("ZoÃ«"), with no warning at all, and a byte
  Windows-1252 does not define became "\ufffd" silently.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from parentgroup.anonymisation.redaction import Redactor  # noqa: E402
from parentgroup.anonymisation.review import (  # noqa: E402
    initials_items,
    name_review_items,
    review_items,
)
from parentgroup.inputs.transcripts import read_transcripts  # noqa: E402
from parentgroup.leak_check.needles import build_needles  # noqa: E402
from parentgroup.leak_check.scanning import scan_paths  # noqa: E402
from parentgroup.problems import ERROR  # noqa: E402

ROSTER = pd.DataFrame({
    "record_id": ["R1", "R2", "R3"],
    "parent_name": ["Zoë Ashby", "Siobhán Ní Bhriain", "José D'Souza"],
    "parent_nicknames": ["", "Shiv", "Pepe"],
    "child_name": ["Łukasz Wiśniewski", "Seán O'Neill", "Maya Smith-Jones"],
    "child_nicknames": ["Luk", "", ""],
    "partner_name": ["", "Pádraig O'Neill", "Jean-Luc D'Souza"],
    "sibling_names": ["", "Aoife O'Neill", ""],
    "email": ["", "", ""], "phone": ["", "", ""], "postcode": ["", "", ""],
    "child_dob": ["", "", ""],
})
IDENTIFIERS = {"staff": {"Ms Gráinne Ó Súilleabháin": "Facilitator"}, "school": ["St Brigid's"],
               "town": ["Dún Laoghaire"], "leak_allow_list": []}
DIRECT = ["parent_name", "parent_nicknames", "child_name", "child_nicknames", "partner_name",
          "sibling_names", "email", "phone", "postcode", "child_dob"]
PSEUDONYMS = {"R1": "P01", "R2": "P02", "R3": "P03"}
KEY = pd.DataFrame({"record_id": list(PSEUDONYMS), "pseudonym": list(PSEUDONYMS.values())})

#: Each transcript: its text, how it is saved, and the forms of roster names planted in it.
TRANSCRIPTS = {
    "R1": ("Interviewer: How was it?\n"
           "Parent: Łukasz's teacher rang me. LUKASZ WISNIEWSKI was on the list again.\n"
           "Parent: Lukasz was fine after that. Luk came home calm. ZOË, she said to me.\n"
           "Parent: LW said sorry. Ł.W. wrote it on the board. Ms Ó Súilleabháin helped, "
           "Grainne was kind.\n",
           "utf-8-sig-crlf",
           ["Łukasz's", "LUKASZ", "WISNIEWSKI", "Lukasz", "Luk", "ZOË", "LW", "Ł.W.",
            "Ó Súilleabháin", "Grainne"]),
    "R2": ("Interviewer: And at home?\n"
           "Parent: Siobhan is what they call me, or Shiv. SIOBHÁN NÍ BHRIAIN on the form.\n"
           "Parent: Ni Bhriain was my mother's name. Seán's dad Pádraig came. O Neill, ONeill "
           "or O'NEILL, they never spell it right. Aoife too. We met Gráinne at St Brigid's.\n",
           "cp1252",
           ["Siobhan", "Shiv", "SIOBHÁN", "NÍ BHRIAIN", "Ni Bhriain", "Seán's", "Pádraig",
            "O Neill", "ONeill", "O'NEILL", "Aoife", "Gráinne"]),
    "R3": ("Interviewer: Anything else?\n"
           "Parent: JOSÉ is me, José's the name on the letters, Pepe at home. D Souza, DSouza "
           "or D'SOUZA. Maya's school, SMITH-JONES on her bag, Smith Jones on the register. "
           "We live in Dun Laoghaire.\nParent: Jean came once. Luc, he says now.\n",
           "latin-1",
           ["JOSÉ", "José's", "Pepe", "D Souza", "DSouza", "D'SOUZA", "Maya's", "SMITH-JONES",
            "Smith Jones", "Dun Laoghaire", "Jean", "Luc"]),
}
#: What must never stay in a shared text once a form is handled (checked case-insensitively
#: on the redacted transcripts; reviewed tokens excepted).
NAME_WORDS = ["Zoë", "Zoe", "Łukasz", "Lukasz", "Luk", "Wiśniewski", "Wisniewski", "Siobhán",
              "Siobhan", "Shiv", "Bhriain", "Seán", "Sean", "Pádraig", "Padraig", "Neill",
              "Aoife", "José", "Jose", "Pepe", "Souza", "Maya", "Smith", "Jones", "Gráinne",
              "Grainne", "Súilleabháin", "Suilleabhain", "Laoghaire", "Jean", "Luc"]


def _save(text: str, how: str) -> bytes:
    if how == "utf-8-sig-crlf":
        return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    return text.encode(how)


@pytest.fixture
def hard_site(tmp_path) -> Path:
    """The synthetic site folder (a test fixture, never data/raw/)."""
    site = tmp_path / "hard_site"
    (site / "transcripts").mkdir(parents=True)
    (site / "roster.csv").write_bytes(b"\xef\xbb\xbf" + ROSTER.to_csv(
        index=False, lineterminator="\r\n").encode("utf-8"))
    for record_id, (text, how, _) in TRANSCRIPTS.items():
        (site / "transcripts" / f"{record_id}.txt").write_bytes(_save(text, how))
    return site


# -- reading: every encoding a site's tools write, or a located error ---------------------------

def test_transcripts_in_other_encodings_read_back_exactly(hard_site):
    folder = hard_site / "transcripts"
    (folder / "R2.txt").write_bytes(TRANSCRIPTS["R2"][0].encode("utf-16"))  # Notepad "Unicode"
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {r: text for r, (text, _, _) in TRANSCRIPTS.items()}
    # the Latin-1 file is read as Windows-1252 (a superset for these letters), with a warning
    # (a transcript is named by its position: its file name is a record id)
    assert [(p.file, p.severity) for p in problems] == [
        ("transcripts/ (the 3rd of 3 files, sorted by name)", "warning")]


@pytest.mark.parametrize(("raw", "found"), [
    # UTF-8 decoded as Windows-1252 and saved again as UTF-8: "Zoë" is now "ZoÃ«"
    ("Parent: fine\nParent: Zoë said".encode().decode("cp1252").encode("utf-8"),
     "line 2: text whose accented letters were already garbled"),
    # UTF-16 without a byte-order mark
    ("Parent: Zoë said".encode("utf-16-le"), "line 1: NUL bytes"),
    # a byte Windows-1252 does not define (0x81), in a file that is not UTF-8 either
    (b"Parent: ok\nParent: Zo\xeb and \x81", "line 2: byte 0x81 is neither UTF-8 nor"),
])
def test_a_file_no_reader_decodes_safely_is_a_located_error(hard_site, raw, found):
    (hard_site / "transcripts" / "R1.txt").write_bytes(raw)
    texts, problems = read_transcripts(hard_site / "transcripts", ROSTER)
    errors = [p for p in problems if p.severity == ERROR]
    assert "R1" not in texts and len(errors) == 1
    message = errors[0].format()
    assert message.startswith("ERROR: transcripts/ (the 1st of 3 files, sorted by name)")
    assert found in message and "R1" not in message
    assert "saved as UTF-8" in message  # what is expected
    assert "Zo" not in message  # never the text


# -- redaction: every form of every name is redacted or on the review list ----------------------

def _redact_as_the_stage_does(texts: dict[str, str]) -> dict[str, tuple[str, list[dict]]]:
    redactor = Redactor(ROSTER, IDENTIFIERS, PSEUDONYMS, identifier_columns=DIRECT)
    out = {}
    for record_id, text in texts.items():
        label = f"transcripts/{PSEUDONYMS[record_id]}.txt"
        redacted, _, names = redactor.redact_with_review(text, record_id, label)
        review = (review_items(redacted, label, set(), {n.output_offset for n in names})
                  + initials_items(redacted, label, redactor.initials)
                  + name_review_items(names))
        out[record_id] = (redacted, review)
    return out


def test_every_form_of_every_name_is_redacted_or_reviewed(hard_site):
    texts, _ = read_transcripts(hard_site / "transcripts", ROSTER)
    redacted = _redact_as_the_stage_does(texts)
    missed = []
    for record_id, (_, _, forms) in TRANSCRIPTS.items():
        text, review = redacted[record_id]
        reviewed = {(item["offset"], item["token"]) for item in review}
        assert all(form in TRANSCRIPTS[record_id][0] for form in forms)  # planted
        for word in [*NAME_WORDS, *forms]:
            for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
                if not any(o <= match.start() < o + len(t) for o, t in reviewed):
                    missed.append((record_id, match.group(), text[max(0, match.start() - 20):
                                                                   match.end() + 20]))
    assert missed == []
    # the initials are on the review list (they name nobody the lexicon knows)
    tokens = {item["token"]: item["kind"] for item in redacted["R1"][1]}
    assert tokens.get("LW") == "initials" and tokens.get("Ł.W.") == "initials"
    # a title is not a name: "Ms" stays, the staff member's name goes
    assert "Ms [Facilitator]" in redacted["R1"][0]
    assert "[P01]" in redacted["R1"][0] and "[Child of P01]" in redacted["R1"][0]


def test_a_title_in_a_staff_name_is_not_redacted_everywhere():
    redactor = Redactor(ROSTER, IDENTIFIERS, PSEUDONYMS, identifier_columns=DIRECT)
    text, _ = redactor.redact("Parent: Ms Ashby is my sister. Ms Kapoor too.", "R3", "t")
    assert text == "Parent: Ms [Family of P01] is my sister. Ms Kapoor too."


# -- the leak check: a planted leak in each shared format is found ------------------------------

def _pdf_with_text(path: Path, text: str) -> None:
    figure, axis = plt.subplots(figsize=(3, 1))
    axis.set_axis_off()
    axis.text(0.1, 0.5, text)
    figure.savefig(path, format="pdf")
    plt.close(figure)


def _svg_with_text(path: Path, text: str) -> None:
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure, axis = plt.subplots(figsize=(3, 1))
        axis.set_title(text)
        figure.savefig(path, format="svg")
        plt.close(figure)


def _png_with_metadata(path: Path, text: str) -> None:
    figure, axis = plt.subplots(figsize=(1, 1))
    figure.savefig(path, format="png", metadata={"Description": text})
    plt.close(figure)


def _docx_with(path: Path, text: str) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph(f"Quote: {text} said it helped.")
    document.save(str(path))


def _notebook_with(path: Path, text: str) -> None:
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [text]}],
                "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook, ensure_ascii=True), encoding="utf-8")  # \u0141ukasz


PLANTS = [
    # (file name, writer, planted text, participant, field)
    ("quotes.csv", lambda p, t: p.write_text(f"code,excerpt\nQ01,{t} was calm\n",
                                              encoding="utf-8"),
     "LUKASZ", "P01", "child_name"),
    ("report.html", lambda p, t: p.write_text(f"<p>{t} said</p>", encoding="utf-8"),
     "Zo&euml; and &#321;ukasz", "P01", "parent_name"),
    ("report.pdf", _pdf_with_text, "Siobhán said", "P02", "parent_name"),
    ("tables.docx", _docx_with, "José D’Souza", "P03", "parent_name"),
    ("figure.svg", _svg_with_text, "Seán at home", "P02", "child_name"),
    ("figure.png", _png_with_metadata, "Pádraig O'Neill", "P02", "partner_name"),
    ("report.ipynb", _notebook_with, "Łukasz was calm", "P01", "child_name"),
    ("notes.txt", lambda p, t: p.write_text(t, encoding="utf-8"), "O Neill came", "P02",
     "child_name"),
]


@pytest.mark.parametrize(("name", "write", "text", "participant", "field"), PLANTS,
                         ids=[p[0] for p in PLANTS])
def test_a_planted_leak_in_each_format_is_found(tmp_path, name, write, text, participant,
                                                 field):
    needles = build_needles(ROSTER, IDENTIFIERS, DIRECT, KEY)
    out = tmp_path / "out"
    out.mkdir()
    write(out / name, text)
    hits = scan_paths([out], needles, base=tmp_path)
    assert any(h.participant == participant for h in hits), (hits, field)
    # and the redacted form of the same text passes
    (out / name).unlink()
    redactor = Redactor(ROSTER, IDENTIFIERS, PSEUDONYMS, identifier_columns=DIRECT)
    clean, _ = redactor.redact(html.unescape(text), "R1", "t")
    write(out / name, html.escape(clean) if name.endswith(".html") else clean)
    assert scan_paths([out], needles, base=tmp_path) == []


def test_the_redacted_transcripts_pass_the_leak_check(hard_site, tmp_path):
    texts, _ = read_transcripts(hard_site / "transcripts", ROSTER)
    out = tmp_path / "processed"
    out.mkdir()
    for record_id, (text, review) in _redact_as_the_stage_does(texts).items():
        for item in review:  # what a reviewer decided to redact is redacted on release
            if item["status"] == "unreviewed" or item["kind"] == "initials":
                text = text.replace(item["token"], "[Name?]")
        (out / f"{PSEUDONYMS[record_id]}.txt").write_text(text, encoding="utf-8")
    needles = build_needles(ROSTER, IDENTIFIERS, DIRECT, KEY)
    assert scan_paths([out], needles, base=tmp_path) == []


@pytest.mark.parametrize("how", ["utf-8-sig-crlf", "cp1252"])
def test_a_roster_saved_by_excel_reads_back_with_its_accents(tmp_path, how):
    """Excel's "CSV UTF-8" (BOM, CRLF) and its Windows "CSV" (Windows-1252): the roster, and so
    the redactor's lexicon and the leak check's needles, get the names exactly."""
    from parentgroup.inputs.csv_files import read_csv_text

    roster = ROSTER.assign(child_name=["Lukasz Wisniewski", "Seán O'Neill", "Maya Smith-Jones"])
    (tmp_path / "roster.csv").write_bytes(_save(roster.to_csv(index=False), how))
    read = read_csv_text(tmp_path / "roster.csv")
    assert read["parent_name"].tolist() == ["Zoë Ashby", "Siobhán Ní Bhriain", "José D'Souza"]
    assert read.equals(roster.astype(str))


def test_a_roster_that_cannot_be_decoded_safely_is_a_located_error(tmp_path):
    from parentgroup.inputs.roster import read_roster

    text = ROSTER.to_csv(index=False)
    # "Zoë" garbled by an earlier round trip through Windows-1252, as "ZoÃ«"
    (tmp_path / "roster.csv").write_bytes(text.replace("Zoë", "ZoÃ«").encode("utf-8"))
    frame, problems = read_roster(tmp_path / "roster.csv", {"roster": {}})
    assert frame.empty and len(problems) == 1 and problems[0].severity == ERROR
    message = problems[0].format()
    assert message.startswith("ERROR: roster.csv") and "line 2" in message
    assert "saved as UTF-8" in message and "Zo" not in message
