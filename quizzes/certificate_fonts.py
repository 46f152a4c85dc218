"""The certificate's typefaces, in two sizes: the full DejaVu fonts, and copies cut down to the
scripts nearly every certificate needs.

Reading a font file is most of a certificate's cost, and it grows with the glyphs in the file,
not with those printed: the full sans face has 6,253. The common cut (Latin with its
extensions, Greek, Cyrillic, punctuation and symbols) has a quarter of them, and the same
outlines, so a certificate set in it looks the same and costs about half. A certificate with a
character outside it (a name in Georgian or Hebrew, say) is set in the full fonts.

The cut files are made from the full ones and committed:
    .venv/bin/python -m quizzes.certificate_fonts
"""

from pathlib import Path

FONTS = Path(__file__).resolve().parent / "fonts"
COMMON = FONTS / "common"
# (family, style, file): the faces the certificate draws with.
FACES = (
    ("Sans", "", "DejaVuSans.ttf"),
    ("Sans", "B", "DejaVuSans-Bold.ttf"),
    ("Serif", "B", "DejaVuSerif-Bold.ttf"),
    ("Mono", "", "DejaVuSansMono.ttf"),
)
COMMON_CODEPOINTS = (
    (0x0000, 0x024F),  # Basic Latin, Latin-1, Latin Extended-A and -B
    (0x0300, 0x036F),  # combining accents
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese, Welsh)
    (0x2000, 0x206F),  # General Punctuation: dashes, curly quotes, bullet, ellipsis
    (0x20A0, 0x20CF),  # currency signs
    (0x2100, 0x214F),  # letterlike symbols
    (0x2190, 0x21FF),  # arrows
    (0x25A0, 0x25FF),  # geometric shapes
    (0xFFFD, 0xFFFD),  # the replacement character
)
# Tables the PDF writer drops from every embedded font anyway (fpdf2's output), so a cut file
# need not carry them either.
UNEMBEDDED_TABLES = ("FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern")


def make_common_fonts(into: Path = COMMON) -> None:
    """Cut each full face down to the common codepoints, keeping glyph names and outlines."""
    from fontTools import subset

    options = subset.Options(
        glyph_names=True,
        notdef_outline=True,
        recommended_glyphs=True,
        name_IDs=["*"],
        name_languages=["*"],
        drop_tables=[*subset.Options().drop_tables, *UNEMBEDDED_TABLES],
    )
    codepoints = [
        codepoint for first, last in COMMON_CODEPOINTS for codepoint in range(first, last + 1)
    ]
    into.mkdir(exist_ok=True)
    for _family, _style, file in FACES:
        font = subset.load_font(FONTS / file, options)
        font.recalcTimestamp = False  # the same input makes the same file
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        subset.save_font(font, into / file, options)


if __name__ == "__main__":
    make_common_fonts()
