"""Transcripts: encodings, line endings, .docx, and file names that are not record ids."""

from __future__ import annotations

import docx
import pandas as pd
import pytest

from parentgroup.inputs.transcripts import decode_transcript, read_transcripts
from parentgroup.problems import ERROR, WARNING

ROSTER = pd.DataFrame({"record_id": ["R01", "R02", "R03", "R04"]})


def test_missing_directory_is_a_site_without_interviews(tmp_path):
    assert read_transcripts(tmp_path / "transcripts", ROSTER) == ({}, [])


def test_utf8_bom_crlf_and_cp1252_fallback(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "R01.txt").write_bytes(b"\xef\xbb\xbfInterviewer: Hi\r\nParent: Caf\xc3\xa9\r\n")
    (folder / "R02.txt").write_bytes(b"Parent: na\xefve\rline two")  # cp1252, lone CR
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {"R01": "Interviewer: Hi\nParent: Café\n", "R02": "Parent: naïve\nline two"}
    # located by position, never by its name (a record id: the problem list is shared)
    assert [(p.file, p.severity) for p in problems] == [
        ("transcripts/ (the 2nd of 2 files, sorted by name)", WARNING)]


def test_docx_paragraphs_joined_by_blank_line(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    document = docx.Document()
    document.add_paragraph("Interviewer: What changed?")
    document.add_paragraph("Parent: I wonder now.")
    document.save(folder / "R03.docx")
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {"R03": "Interviewer: What changed?\n\nParent: I wonder now."}
    assert problems == []


def test_docx_laid_out_as_a_table_is_read_whole_in_order(tmp_path):
    """A transcription service's layout: a heading paragraph, then a speaker | words table
    (a merged cell once, an empty row skipped), then a closing paragraph."""
    folder = tmp_path / "transcripts"
    folder.mkdir()
    document = docx.Document()
    document.add_paragraph("Interview 3")
    table = document.add_table(rows=4, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Interviewer", "What changed?"
    table.cell(1, 0).text, table.cell(1, 1).text = "Parent", "I wonder what is going on for Sam."
    merged = table.cell(2, 0).merge(table.cell(2, 1))
    merged.text = "[pause]"
    document.add_paragraph("End of interview")
    document.save(folder / "R03.docx")
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {"R03": "Interview 3\n\nInterviewer: What changed?\n\n"
                            "Parent: I wonder what is going on for Sam.\n\n[pause]\n\n"
                            "End of interview"}
    assert problems == []


def test_unknown_stem_is_an_error_that_never_shows_the_name(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "Jane Smith.txt").write_text("Parent: hello", encoding="utf-8")
    (folder / "r04.txt").write_text("Parent: lower-case id", encoding="utf-8")
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {"R04": "Parent: lower-case id"}
    assert len(problems) == 1 and problems[0].severity == ERROR
    assert "Jane" not in problems[0].format() and "Smith" not in problems[0].format()
    # located by position, with what was expected
    assert problems[0].file == "transcripts/ (the 1st of 2 files, sorted by name)"
    assert "<record_id>.txt" in problems[0].expected


def test_txt_and_docx_for_one_record_is_an_error(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "R01.txt").write_text("Parent: one", encoding="utf-8")
    docx.Document().save(folder / "R01.docx")
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {}
    assert [(p.file, p.severity, p.value) for p in problems] == [
        ("transcripts/ (the 1st and 2nd of 2 files, sorted by name)", ERROR, ".docx, .txt")
    ]


def test_broken_docx_and_stray_files(tmp_path):
    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "R01.docx").write_bytes(b"not a zip")
    (folder / "notes.pdf").write_bytes(b"%PDF")
    (folder / "~$R01.docx").write_bytes(b"lock")
    texts, problems = read_transcripts(folder, ROSTER)
    assert texts == {}
    assert sorted((p.severity, p.file) for p in problems) == [
        (ERROR, "transcripts/ (the 1st of 2 files, sorted by name)"),
        (WARNING, "transcripts/ (the 2nd of 2 files, sorted by name)"),
    ]


def test_decode_transcript():
    assert decode_transcript(b"a\r\nb\rc") == ("a\nb\nc", "utf-8")
    assert decode_transcript(b"\x93quoted\x94") == ("“quoted”", "cp1252")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_transcripts_read_like_qda_sources_in_every_encoding_with_a_bom(tmp_path, encoding):
    """One decoder for every reader (csv_files.decode_bytes): a UTF-32 transcript is read, as
    a UTF-32 REFI-QDA source is (the transcript reader mistook UTF-32-LE for UTF-16)."""
    from parentgroup.inputs.csv_files import read_text

    path = tmp_path / "t.txt"
    path.write_bytes("Parent: Zoë said 😊\r\nInterviewer: ok".encode(encoding))
    assert read_text(path)[0] == "Parent: Zoë said 😊\nInterviewer: ok"
