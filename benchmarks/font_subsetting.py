"""How long the installed fontTools takes to subset one font the way WeasyPrint does it.

WeasyPrint embeds a subset of every font a PDF uses, and without HarfBuzz's subsetter (the
system library libharfbuzz-subset) it subsets with fontTools: the 14 family sheets and the
report of a demo run subset about 34 fonts. fontTools 4.68.0 made this 2.4x slower (it
decompiles a font's GSUB/GPOS tables even though WeasyPrint drops them), so the lock pins 4.67.0
(pyproject.toml). Run this before moving the pin: it prints seconds per subset for the installed
version, and with ``--versions`` for others installed into throwaway folders beside it.

    python benchmarks/font_subsetting.py [--font PATH] [--versions 4.67.0 4.68.0 ...]

Last measured (DejaVu Sans, 87 glyphs, quiet 2-core VM): 4.60.2-4.67.0 0.037-0.044 s,
4.68.0 0.093 s, 4.69.1 0.089 s.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CANDIDATE_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:/Windows/Fonts/arial.ttf",
]


def seconds_per_subset(font: Path, repeats: int = 5) -> tuple[str, float]:
    """fontTools' version and the mean seconds of one subset with WeasyPrint's options
    (weasyprint/pdf/fonts.py, ``_fonttools_subset``), after one warm-up."""
    import fontTools
    from fontTools import subset
    from fontTools.ttLib import TTFont

    data = font.read_bytes()
    gids = list(range(3, 90))  # about the glyphs of an English page

    def one() -> None:
        options = subset.Options(retain_gids=True, passthrough_tables=True,
                                 ignore_missing_glyphs=True, hinting=False,
                                 desubroutinize=True)
        options.drop_tables += ["GSUB", "GPOS", "SVG"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=gids)
        ttfont = TTFont(io.BytesIO(data))
        subsetter.subset(ttfont)
        ttfont.save(io.BytesIO())

    one()
    start = time.perf_counter()
    for _ in range(repeats):
        one()
    return fontTools.version, (time.perf_counter() - start) / repeats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--font", type=Path, help="a TrueType font (default: DejaVu Sans/Arial)")
    parser.add_argument("--versions", nargs="*", default=[],
                        help="other fontTools versions to time (pip installs each into a "
                             "temporary folder; needs the package index)")
    args = parser.parse_args(argv)
    font = args.font or next((Path(p) for p in CANDIDATE_FONTS if Path(p).is_file()), None)
    if font is None or not font.is_file():
        print("no font found: give one with --font PATH", file=sys.stderr)
        return 2
    version, seconds = seconds_per_subset(font)
    print(f"fontTools {version}: {seconds:.3f} s per subset of {font.name}")
    for wanted in args.versions:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                            "--target", folder, f"fonttools=={wanted}"], check=True)
            # the same script in a child whose fontTools is the one in the folder
            env = {**os.environ, "PYTHONPATH": folder}
            subprocess.run([sys.executable, __file__, "--font", str(font)], env=env, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
