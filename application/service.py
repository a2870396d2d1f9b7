"""The one application service: load → authorise → decide → append, atomically.

No rules here: they are the deciders', the processes' and the access policy's, all in
`domain/`. The service looks a command up in the routing table, loads the stream it
addresses and the aggregates its rules consult, lets the policy decide on exactly that
state (so the version check covers what authorisation saw), decides, runs the processes
that follow, and appends every stream's events in one transaction. A concurrent writer
makes it try again, a bounded number of times; a command id already recorded returns the
first result and records nothing new.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from application.loading import Loaded
from application.routing import route_of
from domain.access import Principal
from domain.command import UNIT_PORTAL, Command, Context
from domain.dates import HORIZON_DAYS, within_horizon
from domain.errors import ConcurrencyConflict, DomainError
from domain.id_numbers import person_id
from domain.person.state import Person
from domain.policy import authorise
from domain.processes import Decided, Effects, combine
from domain.requests.carried import Carried, carried_command, insured_region, with_transfer_id
from domain.requests.catalogue import has_steps
from domain.requests.commands import ApplyForService, RequestCommand
from domain.requests.events import RequestCompleted
from domain.requests.state import NONE, ServiceRequest, request_stream
from domain.timeline import RecordedEvent
from domain.unit.state import Unit
from domain.unit_codes import unit_id
from eventlog.chain import Stream
from eventlog.store import Appended, Conflict, EventStore
from projections.campaign_rows import campaigns_covering

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Outcome:
    events: list[RecordedEvent]
    replayed: bool = False  # True when the command id had already been recorded


def after_the_last(loaded: Loaded, now: datetime) -> datetime:
    """System time never goes backwards within the ledger: a new event is recorded after the
    last event of every stream it was decided on, whatever the wall clock says."""
    last = max((s.events[-1].recorded_at for s in loaded.streams.values() if s.events), default=None)
    if last is None or now > last:
        return now
    log.warning("the clock reads %s, not after the last recorded event (%s); recording at %s",
                now.isoformat(), last.isoformat(), (last + TICK).isoformat())
    return last + TICK


TICK = timedelta(microseconds=1)


class Ledger:
    def __init__(self, store: EventStore, horizon_days: int = HORIZON_DAYS) -> None:
        self.store = store
        self.horizon_days = horizon_days
        self._writing: dict[int, float] = {}  # thread → when its append began (monotonic)

    def writers_stuck(self, seconds: float) -> int:
        """How many appends have been under way longer than `seconds` (the health check asks)."""
        now = time.monotonic()
        return sum(1 for began in list(self._writing.values()) if now - began > seconds)

    # ---- reading ----------------------------------------------------------------------

    def person_stream(self, certificate_type: str, id_number: str) -> Stream:
        return self.store.load(person_id(certificate_type, id_number))

    def person(self, certificate_type: str, id_number: str) -> Person:
        return Loaded(self.store).person(person_id(certificate_type, id_number))

    def person_history(self, certificate_type: str, id_number: str) -> list[RecordedEvent]:
        return self.person_stream(certificate_type, id_number).events

    def request_history(self, request_id: UUID) -> list[RecordedEvent]:
        return self.store.load(request_stream(request_id)).events

    def unit_stream(self, code: str) -> Stream:
        return self.store.load(unit_id(code))

    def unit(self, code: str) -> Unit:
        return Loaded(self.store).unit(code)

    # ---- writing ----------------------------------------------------------------------

    def execute(self, command: Command, ctx: Context, principal: Principal | None = None) -> Outcome:
        """Record a command's events once; a DomainError (nothing written) if it is refused,
        NotAuthorised if `principal` may not send it. Without a principal the caller is the
        ledger's own (an import job, the CLI, a test) and trusted."""
        ctx.check_provenance()
        if command.effective is not None:  # a request's steps are dated by the clock
            within_horizon(command.effective, ctx.today, self.horizon_days)
        if isinstance(command, RequestCommand):  # every event it records, the carried command's too, names it
            ctx = replace(ctx, cause=command.request_id)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            loaded, before, given = self._load(command, ctx)
            if principal is not None:  # before a replay too: a command id proves nothing about its sender
                authorise(principal, command, before, given)
            # A command id already recorded returns its first result. It is looked for only when
            # the command is refused or its append clashes: a new command (the usual case) costs no
            # look-up, and one sent again meets either its own effect (refused, or its log row).
            try:
                batches = self._decide(command, loaded, before, given)
            except DomainError:
                if (earlier := self.store.logged(ctx.command_id)) is not None:
                    return Outcome(earlier, replayed=True)
                raise
            # `given`: the command's own provenance, with a request's item and materials as its evidence.
            meta = replace(given, now=after_the_last(loaded, ctx.now)).meta(type(command).__name__)
            self._writing[threading.get_ident()] = time.monotonic()
            try:
                return Outcome(self.store.append(batches, meta))
            except Conflict:
                if (earlier := self.store.logged(ctx.command_id)) is not None:
                    return Outcome(earlier, replayed=True)
                log.info("concurrent write on %s, attempt %d", type(command).__name__, attempt)
            finally:
                self._writing.pop(threading.get_ident(), None)
        raise ConcurrencyConflict(
            f"{type(command).__name__} lost {MAX_ATTEMPTS} races for the same records; try again")

    def plan(self, command: Command, ctx: Context) -> list[Appended]:
        """What a command would append to each stream, decided against freshly loaded ones."""
        loaded, before, given = self._load(command, ctx)
        return self._decide(command, loaded, before, given)

    def _load(self, command: Command, ctx: Context) -> tuple[Loaded, Any, Context]:
        """The addressed stream's state, and the context with every aggregate its rules consult
        (the caller's own unit included: filing days and locks are read from it)."""
        route = route_of(command)
        loaded = Loaded(self.store)
        before = loaded.state(route.aggregate, route.aggregate.stream_of(command))
        consults = route.aggregate.consults(command, before, ctx)
        own_unit = {ctx.actor.unit_code} if ctx.actor.unit_code else set()
        units = {code: loaded.unit(code) for code in sorted(consults.units | own_unit)}
        campaigns = set(consults.campaigns) | self._campaigns_under_way(ctx, units)
        given = replace(ctx, units=units, campaigns={name: loaded.campaign(name) for name in sorted(campaigns)})
        if route.carries:
            given = self._with_carried(command, before, loaded, given)
        return loaded, before, given

    def _with_carried(self, command: Command, request: ServiceRequest, loaded: Loaded, ctx: Context) -> Context:
        """The context with the ledger command a request carries, decided on its subject as
        loaded in this same transaction, and the region whose office reviews it."""
        if isinstance(command, ApplyForService):
            carried = carried_command(command.command, command.certificate_type, command.id_number, command.unit_code,
                                      with_transfer_id(command.command, command.request_id, command.arguments))
            item_code, materials = command.item_code, command.materials
        elif request.stage == NONE:
            return ctx  # no such request: its decider says so
        else:
            carried = carried_command(request.command, request.certificate_type, request.id_number,
                                      request.unit_code, request.arguments)
            item_code, materials = request.item_code, request.materials
        route = route_of(carried)
        subject = loaded.state(route.aggregate, route.aggregate.stream_of(carried))
        consults = route.aggregate.consults(carried, subject, ctx)
        units = {**ctx.units, **{code: loaded.unit(code) for code in sorted(consults.units - set(ctx.units))}}
        region = insured_region(carried, subject) or request.region
        # What the request was decided on is the carried command's evidence too: its materials by content hash.
        evidence = (*ctx.evidence, *(f"{m.name} sha256:{m.sha256}" for m in materials))
        return replace(ctx, units=units, carried=Carried(carried, subject, region), evidence=evidence,
                       service_item=ctx.service_item or item_code.strip())

    @staticmethod
    def _followed(command: Command, state: Any, loaded: Loaded, ctx: Context) -> tuple[list[Any], Effects]:
        """A command decided by its aggregate on `state`, with the processes that follow it:
        its own events, and every stream's effects."""
        route = route_of(command)
        stream_id = route.aggregate.stream_of(command)
        events = route.aggregate.decide(command, state, ctx)
        decided = Decided(stream_id, state, route.aggregate.fold(events, state), events)
        return events, combine({stream_id: events},
                               *(process(command, decided, ctx, loaded) for process in route.follow))

    def _campaigns_under_way(self, ctx: Context, units: Mapping[str, Unit]) -> set[str]:
        """For the unit channel: the campaigns under way that cover its units' regions (their windows
        decide what the unit may file). Found through the campaign read model; each is then loaded
        from its own stream like any aggregate."""
        regions = {u.region for u in units.values() if u.region}
        if ctx.channel != UNIT_PORTAL or not regions:
            return set()
        with self.store.datastore.get_connection() as conn:
            return set(campaigns_covering(conn, regions, ctx.today))

    def _decide(self, command: Command, loaded: Loaded, before: Any, ctx: Context) -> list[Appended]:
        events, effects = self._followed(command, before, loaded, ctx)
        carried = ctx.carried
        if carried is not None:  # a service request
            if any(isinstance(e, RequestCompleted) for e in events):
                effects = combine(effects, self._followed(carried.command, carried.subject, loaded, ctx)[1])
            elif isinstance(command, ApplyForService) and not has_steps(command.item_code):
                # Decided now as well, and not recorded: what the ledger would refuse is refused at once.
                # (A transfer in can only be decided once the other region's transfer out is recorded.)
                self._followed(carried.command, carried.subject, loaded, ctx)
        return loaded.appends(effects)
