"""The demo coding as a REFI-QDA project (``coding.qdpx``) and codebook (``codebook.qdc``).

QDA-XML 1.0 (REFI-QDA Standard; namespace ``urn:QDA-XML:project:1.0`` and
``urn:QDA-XML:codebook:1.0``). The project holds ``Users``, a ``CodeBook`` whose root code
"Themes" is not codable and has one child per theme (named by the theme name of config.yaml),
each with the analyst's codes nested beneath it, one ``Case`` per participant (named by the
record id, with a ``SourceRef`` to the interview), and one ``TextSource`` per interview stored as
``sources/<guid>.txt`` (UTF-8) and referenced as ``internal://<guid>.txt``; each coded excerpt is a
``PlainTextSelection`` with codepoint offsets (start inclusive, end exclusive) and a ``Coding``
whose ``CodeRef`` points at the code. GUIDs are uuid5 of the seed and the names, and the ZIP
members are stored uncompressed in sorted order with a fixed timestamp, so the archive is
byte-identical from run to run and machine to machine.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from xml.sax.saxutils import escape, quoteattr

import pandas as pd

from parentgroup.demo.people import SOURCE_NOTE

THEME_NAMES = {
    "relational_safety": "Relational safety",
    "enhanced_mentalizing": "Enhanced mentalizing capacity",
    "affect_regulation": "Improved affect regulation",
    "transformed_interactions": "Transformed parent-child interactions",
    "reduced_stress": "Reduced parental stress",
    "facilitation_style": "Facilitation style as an active ingredient",
}
NAMESPACE = uuid.UUID("6f1c1c9e-2f4b-4c1e-9a53-2d6c0f5b7a10")
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]


class GuidMaker:
    """Deterministic GUIDs: uuid5 of a fixed namespace, the seed and the parts."""

    def __init__(self, seed: int):
        self.seed = str(seed)

    def __call__(self, *parts: str) -> str:
        return str(uuid.uuid5(NAMESPACE, "/".join([self.seed, *parts])))


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A ZIP with sorted members, a fixed timestamp and no compression (stored members), so the
    bytes do not depend on the zlib build of the machine that writes it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _codebook_xml(excerpts: pd.DataFrame, guid: GuidMaker, indent: str) -> str:
    lines = [f'{indent}<Code guid="{guid("code", "Themes")}" name="Themes" isCodable="false">']
    for number, (theme, name) in enumerate(THEME_NAMES.items()):
        lines.append(f'{indent}  <Code guid="{guid("code", theme)}" name={quoteattr(name)} '
                     f'isCodable="true" color="{COLOURS[number]}">')
        lines.append(f"{indent}    <Description>Theme id: {theme}</Description>")
        codes = sorted(set(excerpts.loc[excerpts["theme"] == theme, "code"]))
        for code in codes:
            lines.append(f'{indent}    <Code guid="{guid("code", theme, code)}" '
                         f'name={quoteattr(code)} isCodable="true"/>')
        lines.append(f"{indent}  </Code>")
    lines.append(f"{indent}</Code>")
    return "\n".join(lines)


def refi_qda_project(
    texts: dict[str, str], excerpts: pd.DataFrame, seed: int
) -> tuple[bytes, bytes]:
    """The coding as a ``.qdpx`` archive and a ``.qdc`` codebook (both as bytes).

    ``texts`` maps record_id -> transcript text; ``excerpts`` has the columns of
    ``coded_excerpts.csv`` (record_id, theme, code, excerpt, start, end).
    """
    guid = GuidMaker(seed)
    user = guid("user", "demo coder")
    sources, cases, files = [], [], {}
    for record_id in sorted(texts):
        source = guid("source", record_id)
        files[f"sources/{source}.txt"] = texts[record_id].encode("utf-8")
        selections = []
        rows = excerpts[excerpts["record_id"] == record_id].sort_values(["start", "end"])
        for row in rows.itertuples():
            key = (record_id, str(row.start), str(row.end), row.theme)
            selections.append(
                f'      <PlainTextSelection guid="{guid("selection", *key)}" '
                f'name={quoteattr(row.excerpt)} startPosition="{row.start}" '
                f'endPosition="{row.end}" creatingUser="{user}">\n'
                f'        <Coding guid="{guid("coding", *key)}" creatingUser="{user}">'
                f'<CodeRef targetGUID="{guid("code", row.theme, row.code)}"/></Coding>\n'
                "      </PlainTextSelection>"
            )
        sources.append(
            f'    <TextSource guid="{source}" name="{record_id}.txt" '
            f'plainTextPath="internal://{source}.txt" creatingUser="{user}">\n'
            + "".join(s + "\n" for s in selections) + "    </TextSource>"
        )
        cases.append(
            f'    <Case guid="{guid("case", record_id)}" name="{record_id}">'
            f'<SourceRef targetGUID="{source}"/></Case>'
        )
    project = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" '
        'name="Parent learning group interviews (SYNTHETIC DEMO)" '
        f'origin="parentgroup demo generator (seed {seed})" creatingUserGUID="{user}">\n'
        f'  <Users>\n    <User guid="{user}" name="Demo coder" id="DC"/>\n  </Users>\n'
        "  <CodeBook>\n    <Codes>\n"
        + _codebook_xml(excerpts, guid, "      ")
        + "\n    </Codes>\n  </CodeBook>\n"
        "  <Cases>\n" + "\n".join(cases) + "\n  </Cases>\n"
        "  <Sources>\n" + "\n".join(sources) + "\n  </Sources>\n"
        f"  <Description>{escape(SOURCE_NOTE)}. Thematic coding of twelve synthetic interviews "
        "made up for the demo; no real participant, school or place.</Description>\n"
        "</Project>\n"
    )
    files["project.qde"] = project.encode("utf-8")
    codebook = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="parentgroup demo generator (seed '
        f'{seed}; SYNTHETIC)">\n  <Codes>\n'
        + _codebook_xml(excerpts, guid, "    ")
        + "\n  </Codes>\n</CodeBook>\n"
    )
    return zip_bytes(files), codebook.encode("utf-8")
