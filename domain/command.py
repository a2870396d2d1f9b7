"""What every command shares: the base class, the channels it may arrive through, and the
`Context` a decider is given besides the command and its aggregate's state."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator

from domain.clock import business_date
from domain.event import Actor, Meta
from domain.text import check_texts

if TYPE_CHECKING:
    from domain.campaign.state import Campaign
    from domain.requests.carried import Carried
    from domain.unit.state import Unit

OFFICE, UNIT_PORTAL, PERSON_PORTAL, IMPORT = "office", "unit_portal", "person_portal", "import"


class Command(BaseModel):
    # Surrounding blanks are not part of any code or name ("350103 " is 350103).
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)
    # Channels besides an insurance office's counter that may send this command (seed 002: the
    # unit service hall; a person's own portal). Offices may send every command.
    channels: ClassVar[frozenset[str]] = frozenset()
    # A unit filing it must attach proof (seed 002: death and retirement need uploaded proof).
    needs_proof: ClassVar[bool] = False
    effective: date

    @model_validator(mode="after")
    def _plain_text(self) -> Command:
        check_texts({name: getattr(self, name) for name in type(self).model_fields})
        return self


@dataclass(frozen=True)
class Context:
    """The circumstances of one command: who, through which channel, on what evidence, when —
    and the states of the other aggregates its rules consult, loaded in the same
    transaction as the aggregate it decides on (units by code, campaigns by id)."""

    command_id: UUID
    actor: Actor
    now: datetime
    channel: str = OFFICE
    service_item: str | None = None
    evidence: tuple[str, ...] = ()
    units: Mapping[str, Unit] = field(default_factory=dict)
    campaigns: Mapping[str, Campaign] = field(default_factory=dict)
    # For a service request: the ledger command it carries, with its subject and insured region.
    carried: Carried | None = None
    # The request a command's events are recorded for (their cause), when it is one.
    cause: UUID | None = None

    @property
    def today(self) -> date:
        """The business date: Beijing's, whatever zone `now` was given in."""
        return business_date(self.now)

    def check_provenance(self) -> None:
        """Evidence and the service item come from outside too: the same rules as any text."""
        check_texts({"evidence": self.evidence, "service_item": self.service_item})

    def meta(self, command: str) -> Meta:
        """The provenance every event of this command carries (prev_hash is set per event)."""
        return Meta(command_id=self.command_id, command=command, recorded_at=self.now, actor=self.actor,
                    channel=self.channel, service_item=self.service_item, evidence=self.evidence, cause=self.cause)
