"""A one-page PDF written out in code: the demo's downloadable form, with no renderer to
load (a WeasyPrint render would cost the demo a second or more). Plain PDF 1.4: a page of
Helvetica text, the cross-reference table with each object's exact byte offset."""


def _escaped(text: str) -> str:
    plain = text.encode("latin-1", "replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def form_pdf(title: str, lines: list[str]) -> bytes:
    """A valid A4 page: ``title`` in 18 pt, then ``lines`` in 11 pt, one under another."""
    ops = ["BT", "/F1 18 Tf", "56 780 Td", f"({_escaped(title)}) Tj", "/F1 11 Tf", "0 -34 Td"]
    for line in lines:
        ops += [f"({_escaped(line)}) Tj", "0 -18 Td"]
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)
