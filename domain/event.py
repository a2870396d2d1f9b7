"""What every recorded fact shares: the event base class, its provenance (`Meta`) and who recorded it.

Each event type has a stable `topic` (stored in the event table; never derived from the
class name, so classes can be renamed) and a `class_version` for upcasting. Every event has
a valid time (`effective`: when it takes effect); its system time and provenance travel in
the `Meta` envelope beside it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

ActorKind = Literal["office", "unit_agent", "person", "import_job", "auditor", "analyst", "system"]


class Actor(BaseModel):
    """Who recorded an event: an office clerk, a unit agent, the person, an import job."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: ActorKind
    id: str
    region: str | None = None  # the office's region, for clerks
    unit_code: str | None = None  # the unit, for unit agents


class Meta(BaseModel):
    """Provenance of one recorded event; `recorded_at` is its system time."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    command_id: UUID
    command: str
    recorded_at: datetime
    actor: Actor
    channel: str
    service_item: str | None = None
    evidence: tuple[str, ...] = ()
    # The service request the event was recorded for; stored only when there is one.
    cause: UUID | None = Field(default=None, exclude_if=lambda cause: cause is None)
    # Hash of the previous event of the same stream, as stored: a chain per person and unit.
    prev_hash: str = ""


EVENT_TYPES: dict[str, type[Event]] = {}  # stored topic → class, filled as event classes are defined


class Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    topic: ClassVar[str] = ""
    class_version: ClassVar[int] = 1
    change_type: ClassVar[str | None] = None  # 人员/单位变更类型 of the national tables
    effective: date
    reason: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.topic:
            assert cls.topic not in EVENT_TYPES, f"topic {cls.topic} used twice"
            EVENT_TYPES[cls.topic] = cls
