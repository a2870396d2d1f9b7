"""The routing table: for each command, the aggregate it is addressed to (whose stream is
loaded and whose decider decides) and the processes that follow it in the same transaction.

Adding a command is one row here; everything else about it lives in its aggregate's folder
(the command, its events, its decider, its channels). The GraphQL mutations are generated
from these rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain import commands as cmd
from domain.campaign.aggregate import CAMPAIGN
from domain.command import Command
from domain.decider import Aggregate
from domain.person.aggregate import PERSON
from domain.processes import Process
from domain.processes.mergers import absorb_merged_unit, adopt_merged_identity
from domain.processes.roster import keep_rosters
from domain.processes.transfer_requests import open_leaving_request, pass_information_sheet
from domain.processes.unit_cancellation import suspend_staff_of_cancelled_unit
from domain.processes.unit_channel import mark_unit_channel_corrections
from domain.requests.aggregate import REQUEST
from domain.unit.aggregate import UNIT

# What follows every person command unless its row says otherwise.
PERSON_PROCESSES: tuple[Process, ...] = (keep_rosters, mark_unit_channel_corrections)


@dataclass(frozen=True)
class Route:
    command: type[Command]
    aggregate: Aggregate[Any]
    follow: tuple[Process, ...] = ()
    api: bool = True  # offered as a GraphQL mutation
    carries: bool = False  # a service request: it carries a ledger command, recorded when it completes


def person(command: type[Command], *extra: Process) -> Route:
    return Route(command, PERSON, (*PERSON_PROCESSES, *extra))


ROUTES: dict[type[Command], Route] = {route.command: route for route in (
    person(cmd.RegisterPerson),
    person(cmd.Enroll),
    person(cmd.Suspend),
    person(cmd.Resume),
    person(cmd.Terminate),
    person(cmd.Retire),
    person(cmd.Die),
    person(cmd.TransferOut),
    person(cmd.TransferIn),
    person(cmd.ChangePersonType),
    person(cmd.MoveToSuccessorUnit),
    person(cmd.Freeze),
    person(cmd.Unfreeze),
    person(cmd.CorrectBaseInfo),
    person(cmd.CorrectEnrollment),
    person(cmd.RecordContribution),
    person(cmd.RemoveFakeEnrollment),
    Route(cmd.MergeIdentity, PERSON, (adopt_merged_identity,)),
    # Legacy rows are history: no roster events (their units may never have been registered).
    Route(cmd.ImportLegacyEnrollment, PERSON, api=False),
    Route(cmd.RegisterUnit, UNIT),
    Route(cmd.ChangeUnitInfo, UNIT),
    Route(cmd.InterruptUnitContributions, UNIT),
    Route(cmd.ResumeUnitContributions, UNIT),
    Route(cmd.CancelUnit, UNIT, (suspend_staff_of_cancelled_unit,)),
    Route(cmd.MergeUnit, UNIT, (absorb_merged_unit,)),
    Route(cmd.SplitUnit, UNIT),
    Route(cmd.OpenCampaign, CAMPAIGN),
    Route(cmd.ConfirmUnitData, UNIT),
    *(Route(command, REQUEST, (open_leaving_request, pass_information_sheet), carries=True) for command in (
        cmd.ApplyForService, cmd.AcceptRequest, cmd.ApproveRequest, cmd.RejectRequest, cmd.CompleteRequest,
        cmd.IssueContactLetter)),
)}


def route_of(command: Command) -> Route:
    try:
        return ROUTES[type(command)]
    except KeyError:
        raise TypeError(f"no route for {type(command).__name__}: add a row to application/routing.py") from None
