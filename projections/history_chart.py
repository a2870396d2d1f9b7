"""A person's history as a picture (SVG): valid time across, system time down. Each row is what
the ledger believed from one recording time on; each enrollment spell a bar coloured by status.
A bar first believed in that row is outlined in red; a bar believed in the row above and no
longer is drawn dashed — so a retroactive correction visibly supersedes what was believed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from uuid import UUID
from xml.sax.saxutils import escape

from domain.clock import BEIJING
from domain.timeline import RecordedEvent, Spell
from projections.person_rows import StreamHistory

WIDTH, LABEL, LANE, TOP = 980, 250, 20, 46
STATUS_COLOURS = {"1": ("#43a047", "正常参保"), "2": ("#ffb300", "暂停参保")}
OTHER_COLOUR = ("#9e9e9e", "终止或其他")


def _x(day: date, start: date, end: date) -> float:
    return LABEL + (WIDTH - LABEL - 20) * (day - start).days / max((end - start).days, 1)


def _superseded(spell: Spell, start: date, end: date, y: float) -> str:
    """What the row above believed and this row no longer does: a dashed strip under the bars."""
    x0, x1 = _x(spell.valid_from, start, end), _x(spell.valid_to or end, start, end)
    return (f'<rect x="{x0:.1f}" y="{y + LANE - 4}" width="{max(x1 - x0, 2):.1f}" height="4" fill="#d32f2f" '
            f'fill-opacity="0.35" stroke="#d32f2f" stroke-dasharray="4 3"><title>不再认定：{spell.insurance_type} '
            f'{spell.region} {spell.valid_from} – {spell.valid_to or "…"}</title></rect>')


def _bar(spell: Spell, start: date, end: date, y: float, style: str, known_at: str = "") -> str:
    x0, x1 = _x(spell.valid_from, start, end), _x(spell.valid_to or end, start, end)
    colour = STATUS_COLOURS.get(spell.status, OTHER_COLOUR)[0]
    text = f"{spell.insurance_type} {spell.region}"
    label = (f'<text x="{x0 + 3:.1f}" y="{y + 11}" font-size="10" fill="#fff">{escape(text)}</text>'
             if x1 - x0 > 60 else "")
    title = (f"<title>{escape(text)} {spell.valid_from} – {spell.valid_to or '…'} status {spell.status} "
             f"unit {escape(spell.unit_code)}</title>")
    return (f'<g data-as-of="{spell.valid_from}" data-known-at="{known_at}"><rect x="{x0:.1f}" y="{y + 1}" '
            f'width="{max(x1 - x0, 2):.1f}" height="{LANE - 6}" rx="3" fill="{colour}" {style}/>{label}{title}'
            f'</g><!--bar-->')


def history_svg(person_id: UUID, history: Sequence[RecordedEvent], title: str, today: date) -> str:
    """The picture of `history` (a person's recorded events, oldest first), titled `title`."""
    believed = StreamHistory(person_id, history).believed
    every = [s for _, spells, _ in believed for s in spells]
    start = min((s.valid_from for s in every), default=today).replace(month=1, day=1)
    end = max([today, *(s.valid_to for s in every if s.valid_to)]) + timedelta(days=180)
    # Each enrollment keeps its own lane in every row, so enrollments in force together (a duplicate)
    # are both seen; a row is as tall as the enrollments the ledger has ever held.
    first_seen = dict.fromkeys(s.enrollment_id for s in sorted(every, key=lambda s: s.valid_from))
    lanes = {enrollment: n for n, enrollment in enumerate(first_seen)}
    row_height = max(len(lanes), 1) * LANE + 6
    height = TOP + row_height * len(believed) + 60
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif" role="img">'
           f'<title>{escape(title)}</title>',
           f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>',
           f'<text x="10" y="18" font-size="14" font-weight="bold">{escape(title)}</text>',
           f'<text x="10" y="{TOP - 8}" font-size="10" fill="#555">记录时间（北京）↓ · 有效时间 →</text>']
    for year in range(start.year, end.year + 1):
        x = _x(date(year, 1, 1), start, end)
        if year % (1 if end.year - start.year <= 12 else 5) == 0 and LABEL <= x <= WIDTH - 20:
            out.append(f'<line x1="{x:.1f}" y1="{TOP - 4}" x2="{x:.1f}" y2="{height - 50}" stroke="#eee"/>'
                       f'<text x="{x + 2:.1f}" y="{TOP - 8}" font-size="10" fill="#555">{year}</text>')
    before: set[Spell] = set()
    for row, (recorded_at, spells, _) in enumerate(believed):
        y = TOP + row_height * row
        commands = sorted({r.meta.command for r in history if r.recorded_at == recorded_at})
        label = f"{recorded_at.astimezone(BEIJING):%Y-%m-%d %H:%M} {' '.join(commands)}"
        out.append(f'<text x="10" y="{y + 12}" font-size="10">{escape(label[:46])}</text>'
                   f'<line x1="10" y1="{y + row_height - 3}" x2="{WIDTH - 10}" y2="{y + row_height - 3}" '
                   'stroke="#f3f3f3"/>')
        now = set(spells)
        for spell in sorted(spells, key=lambda s: s.valid_from):
            style = 'stroke="#d32f2f" stroke-width="2"' if before and spell not in before else ""
            out.append(_bar(spell, start, end, y + LANE * lanes[spell.enrollment_id], style, recorded_at.isoformat()))
        for spell in sorted(before - now, key=lambda s: s.valid_from):  # believed until this row
            out.append(_superseded(spell, start, end, y + LANE * lanes[spell.enrollment_id]))
        before = now
    legend_y = height - 30
    for n, (colour, label) in enumerate([*STATUS_COLOURS.values(), OTHER_COLOUR]):
        out.append(f'<rect x="{10 + n * 130}" y="{legend_y}" width="14" height="10" fill="{colour}"/>'
                   f'<text x="{28 + n * 130}" y="{legend_y + 9}" font-size="10">{label}</text>')
    out.append(f'<rect x="400" y="{legend_y}" width="14" height="10" fill="#fff" stroke="#d32f2f" stroke-width="2"/>'
               f'<text x="418" y="{legend_y + 9}" font-size="10">此时起新记载</text>'
               f'<rect x="520" y="{legend_y + 3}" width="14" height="4" fill="#d32f2f" fill-opacity="0.35" '
               f'stroke="#d32f2f" stroke-dasharray="4 3"/>'
               f'<text x="538" y="{legend_y + 9}" font-size="10">此时起被更正（不再认定）</text>')
    out.append("</svg>")
    return "\n".join(out)
