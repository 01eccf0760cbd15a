"""Outputs switched off in the config do not stay behind in the shared folder looking current."""

from __future__ import annotations

import inspect

from parentgroup.report import remove_stale_pdf, write_site_report


def test_a_report_without_pdf_removes_the_pdf_of_an_earlier_run(tmp_path, caplog):
    html, pdf = tmp_path / "report.html", tmp_path / "report.pdf"
    html.write_text("<html></html>", encoding="utf-8")
    pdf.write_bytes(b"%PDF-1.7 older results")
    with caplog.at_level("INFO"):
        remove_stale_pdf(html)
    assert not pdf.exists() and html.exists()
    assert "earlier run" in caplog.text
    remove_stale_pdf(html)  # nothing to remove: no error
    # the report stage calls it whenever it draws no PDF
    assert "remove_stale_pdf(Path(out_html))" in inspect.getsource(write_site_report)
