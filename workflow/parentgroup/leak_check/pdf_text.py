"""The text of a PDF whose fonts are embedded subsets (WeasyPrint, LibreOffice, most browsers'
"Save as PDF"): the content streams hold glyph numbers, not letters, so the leak check reads
them through each font's ``/ToUnicode`` CMap.

A minimal reader, standard library only: it decompresses every stream but images' pixels (object
streams included,
PDF 1.5 ``/ObjStm``), parses the ``bfchar``/``bfrange`` sections of every ToUnicode CMap, maps
font resource names (``/f-0-0``) to their font objects, and decodes the operands of ``Tj``,
``TJ``, ``'`` and ``"`` with the font selected by the last ``Tf``. Text it cannot map is
skipped, never guessed. ISO 32000-1:2008, §7.5.7 (object streams), §9.10.3 (ToUnicode CMaps).
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+)\s+0\s+obj\b(.*?)\bendobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\n?endstream", re.S)
_TO_UNICODE = re.compile(rb"/ToUnicode\s+(\d+)\s+0\s+R")
#: An image XObject's dictionary (its stream is pixels, or the soft mask of an image's alpha)
IMAGE_DICTIONARY = re.compile(rb"/Subtype\s*/Image\b")
_FONT_REF = re.compile(rb"/([^\s/<>\[\]()]+)\s+(\d+)\s+0\s+R")
_HEX = rb"<([0-9A-Fa-f\s]*)>"
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_TOKEN = re.compile(
    rb"/([^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf"                      # font selection
    rb"|(\[(?:[^\]\\]|\\.)*\]|\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>)\s*(?:Tj|TJ|'|\")",
    re.S,
)
_STRING = re.compile(rb"\((?:[^()\\]|\\.)*\)|<[0-9A-Fa-f\s]*>", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _inflate(body: bytes) -> bytes:
    try:
        return zlib.decompress(body)
    except zlib.error:
        try:
            return zlib.decompressobj().decompress(body)
        except zlib.error:
            return body


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary text, decompressed stream or b"") for every object, those
    packed in object streams included."""
    objects: dict[int, tuple[bytes, bytes]] = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        head = body[: stream.start()] if stream else body
        # an image's stream is pixels: no text to read (the report's figures were most of the
        # bytes inflated); its dictionary is read like every other
        content = _inflate(stream.group(1)) if stream and not IMAGE_DICTIONARY.search(head) \
            else b""
        objects[int(match.group(1))] = (head, content)
    for head, content in list(objects.values()):
        if b"/ObjStm" not in head:
            continue
        n = re.search(rb"/N\s+(\d+)", head)
        first = re.search(rb"/First\s+(\d+)", head)
        if not (n and first):
            continue
        numbers = re.findall(rb"\d+", content[: int(first.group(1))])
        pairs = [(int(numbers[i]), int(numbers[i + 1])) for i in range(0, len(numbers) - 1, 2)]
        base = int(first.group(1))
        for index, (number, offset) in enumerate(pairs[: int(n.group(1))]):
            end = base + pairs[index + 1][1] if index + 1 < len(pairs) else len(content)
            objects.setdefault(number, (content[base + offset : end], b""))
    return objects


def _hex_bytes(text: bytes) -> bytes:
    digits = re.sub(rb"\s", b"", text)
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))


def _utf16(raw: bytes) -> str:
    return raw.decode("utf-16-be", "replace") if len(raw) % 2 == 0 else raw.decode("latin-1")


def parse_cmap(cmap: bytes) -> dict[bytes, str]:
    """A ToUnicode CMap as {source code bytes: text}.

    >>> cmap = b"2 beginbfchar <0003> <0020> <0024> <0041> endbfchar "
    >>> cmap += b"1 beginbfrange <0044> <0046> <0061> endbfrange"
    >>> sorted(parse_cmap(cmap).items())
    [(b'\\x00\\x03', ' '), (b'\\x00$', 'A'), (b'\\x00D', 'a'), (b'\\x00E', 'b'), (b'\\x00F', 'c')]
    """
    table: dict[bytes, str] = {}
    for section in _BFCHAR.findall(cmap):
        pairs = re.findall(_HEX, section)
        for source, target in zip(pairs[0::2], pairs[1::2], strict=False):
            table[_hex_bytes(source)] = _utf16(_hex_bytes(target))
    for section in _BFRANGE.findall(cmap):
        for low, high, target in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f\s]*>|\[[^\]]*\])", section):
            start, stop = int(low, 16), int(high, 16)
            width = len(low) // 2
            if stop - start > 65535:
                continue
            if target.startswith(b"["):
                targets = re.findall(_HEX, target)
                for offset, value in enumerate(targets[: stop - start + 1]):
                    table[(start + offset).to_bytes(width, "big")] = _utf16(_hex_bytes(value))
                continue
            base = _hex_bytes(target[1:-1])
            for offset in range(stop - start + 1):
                value = base[:-2] + (int.from_bytes(base[-2:], "big") + offset).to_bytes(2, "big") \
                    if len(base) >= 2 else base
                table[(start + offset).to_bytes(width, "big")] = _utf16(value)
    return table


def literal_bytes(token: bytes) -> bytes:
    """The bytes of a PDF string token: hex ``<...>`` or literal ``(...)`` with its escapes."""
    if token.startswith(b"<"):
        return _hex_bytes(token[1:-1])

    def escape(match: re.Match) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8) & 0xFF])
        if code in (b"\n", b"\r"):
            return b""
        return _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", escape, token[1:-1], flags=re.S)


def _decode(raw: bytes, cmap: dict[bytes, str]) -> str:
    widths = sorted({len(k) for k in cmap}, reverse=True) or [1]
    out, index = [], 0
    while index < len(raw):
        for width in widths:
            code = raw[index : index + width]
            if code in cmap:
                out.append(cmap[code])
                index += width
                break
        else:
            index += widths[-1]
    return "".join(out)


def pdf_unicode_text(data: bytes) -> str:
    """The text a reader sees in a PDF with embedded subset fonts, one shown string per line
    (the words of a line may come in several strings; the leak check joins across them).

    Returns "" for a PDF without ToUnicode maps (its text is read by the other PDF views)."""
    objects = _objects(data)
    cmaps: dict[int, dict[bytes, str]] = {}
    for number, (head, _content) in objects.items():
        found = _TO_UNICODE.search(head)
        if found and int(found.group(1)) in objects:
            cmaps[number] = parse_cmap(objects[int(found.group(1))][1])
    if not cmaps:
        return ""
    # a resource name refers to a font wherever the page's /Font dictionary is (inline or an
    # object of its own): any "/name N 0 R" whose N is a font with a ToUnicode map
    names: dict[bytes, int] = {}
    for head, _content in objects.values():
        for name, number in _FONT_REF.findall(head):
            if int(number) in cmaps:
                names.setdefault(name, int(number))
    lines = []
    for _head, content in objects.values():
        if not content or b"Tf" not in content:
            continue
        cmap: dict[bytes, str] = {}
        for match in _TOKEN.finditer(content):
            if match.group(1) is not None:
                cmap = cmaps.get(names.get(match.group(1), -1), {})
                continue
            operand = match.group(2)
            pieces = _STRING.findall(operand) if operand.startswith(b"[") else [operand]
            text = "".join(_decode(literal_bytes(p), cmap) for p in pieces)
            if text:
                lines.append(text)
    return "\n".join(lines)
