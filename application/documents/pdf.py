"""A4 PDFs with Chinese text, and reading their text back.

ReportLab's built-in CID font STSong-Light is used: no font file ships with the ledger, every
PDF reader has a matching CJK font, and the text stays text (searchable, extractable: pypdf
reads it back, characters beyond the BMP such as 𠮷 included). The QR code is ReportLab's own.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

FONT = "STSong-Light"
CODE_PREFIX = "验证码："  # the line that carries the verification code: not part of what is digested
QR_PREFIX = "canbao:verify:"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

LEFT, TOP, BOTTOM, LINE = 20 * mm, A4[1] - 25 * mm, 30 * mm, 6.5 * mm


def render(title: str, lines: Sequence[str], code: str, issuer: str) -> bytes:
    """The document: its title, its lines (new pages as needed), and on every page the
    verification code in words and as a QR code."""
    out = io.BytesIO()
    pdf = Canvas(out, pagesize=A4, invariant=True)  # invariant: the same statement gives the same bytes
    pdf.setTitle(title)
    pdf.setAuthor(issuer)
    pages = paginate(list(lines), int((TOP - BOTTOM) / LINE) - 3)
    for number, page in enumerate(pages, start=1):
        pdf.setFont(FONT, 18)
        pdf.drawCentredString(A4[0] / 2, TOP, title)
        pdf.setFont(FONT, 10.5)
        y = TOP - 2 * LINE
        for line in page:
            pdf.drawString(LEFT, y, line)
            y -= LINE
        footer(pdf, code, issuer, number, len(pages))
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def paginate(lines: list[str], per_page: int) -> list[list[str]]:
    return [lines[i:i + per_page] for i in range(0, len(lines), per_page)] or [[]]


def footer(pdf: Canvas, code: str, issuer: str, page: int, pages: int) -> None:
    qr = QrCodeWidget(QR_PREFIX + code)
    left, bottom, right, top = qr.getBounds()
    size = 22 * mm
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, A4[0] - LEFT - size, 8 * mm)
    pdf.setFont(FONT, 9)
    pdf.drawString(LEFT, 18 * mm, f"{CODE_PREFIX}{code}")
    pdf.drawString(LEFT, 13 * mm, f"出具：{issuer}　第 {page} 页 共 {pages} 页　"
                                  "核验：canbao print verify 或 verifyDocument")


def text_lines(pdf: bytes) -> list[str]:
    """The text of every page, line by line, as a reader extracts it (blank lines dropped)."""
    reader = PdfReader(io.BytesIO(pdf))
    return [line.strip() for page in reader.pages for line in (page.extract_text() or "").splitlines()
            if line.strip()]
