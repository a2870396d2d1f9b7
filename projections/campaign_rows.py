"""The row a verification campaign's history contributes to the campaign read model, and the
one query that reads it: which campaigns cover a region on a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.campaign.state import fold
from domain.regions import pools
from projections.person_rows import Row, StreamHistory


def campaign_rows(stream: StreamHistory) -> list[Row]:
    c = fold(r.event for r in stream.history)
    if not c.opened:
        return []
    return [(stream.stream_id, c.campaign_id, c.name, c.region, c.export_from, c.export_to, c.correction_from,
             c.correction_to, c.locked_until)]


def campaigns_covering(conn: Any, regions: set[str], day: date) -> list[str]:
    """Ids of the campaigns under way on `day` (from the export window to the end of corrections)
    whose region covers any of `regions`."""
    rows = conn.execute("SELECT campaign_id, region FROM campaign_view WHERE export_from <= %s AND %s <= correction_to",
                        (day, day)).fetchall()
    return sorted({r["campaign_id"] for r in rows if any(pools(region, r["region"]) for region in regions)})
