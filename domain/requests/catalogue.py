"""The service catalogue (服务事项清单) as data: items, their materials, stages and time limits.

Read from catalogue.toml beside this module; `version` says which edition a request was made
under (a request keeps the terms it was accepted under when the catalogue changes).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from domain.errors import refuse

REVIEW = "审核"


@dataclass(frozen=True)
class Item:
    code: str  # 子项编码, e.g. 002036001002
    main: str  # 主项
    name: str  # 子项
    materials: tuple[str, ...]
    limit_days: int  # working days from acceptance; 0 = 即时办结
    stages: tuple[str, ...]
    commands: tuple[str, ...]  # ledger commands a request of this item carries out
    online_review: tuple[str, ...] = ()  # commands that wait for an office's review when filed online
    steps: tuple[tuple[str, int], ...] = ()  # a transfer's steps and their days
    hand_off: bool = False  # applied by the confirming office, accepted and completed by the cleaning region's
    source: str = ""

    @property
    def instant(self) -> bool:
        return self.limit_days == 0

    @property
    def reviewed(self) -> bool:
        """Whether the item has a review stage (审核) between acceptance and completion."""
        return REVIEW in self.stages

    def limit_label(self) -> str:
        return "即时办结" if self.instant else f"{self.limit_days}个工作日"


@dataclass(frozen=True)
class Catalogue:
    version: str
    online_limit_days: int
    items: dict[str, Item] = field(default_factory=dict)

    def item(self, code: str) -> Item:
        try:
            return self.items[code.strip()]
        except KeyError:
            raise refuse("item_code", "request.unknown_item",
                         f"“{code}” is not an item of the service catalogue (edition {self.version})") from None

    def item_reviewing(self, command_name: str) -> Item | None:
        """The item whose online filings of this command wait for an office's review (seed 002), if any."""
        return next((i for i in self.items.values() if command_name in i.online_review), None)


@cache
def catalogue() -> Catalogue:
    data = tomllib.loads((Path(__file__).parent / "catalogue.toml").read_text(encoding="utf-8"))
    items = {
        raw["code"]: Item(
            code=raw["code"], main=raw["main"], name=raw["name"], materials=tuple(raw["materials"]),
            limit_days=raw["limit_days"], stages=tuple(raw["stages"]), commands=tuple(raw["commands"]),
            online_review=tuple(raw.get("online_review", ())), steps=tuple(raw.get("steps", {}).items()),
            hand_off=raw.get("hand_off", False), source=raw.get("source", ""),
        )
        for raw in data["items"]
    }
    return Catalogue(data["version"], data["online_limit_days"], items)


def has_steps(item_code: str) -> bool:
    """Whether the item runs in steps across two regions (a transfer's letters)."""
    item = catalogue().items.get(item_code.strip())
    return bool(item and item.steps)
