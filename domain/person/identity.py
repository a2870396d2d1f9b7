"""Moving a wrong or duplicate identity's history to the right one (人员多号合并).

The source stream records that it was merged away (this decider); the target adopts its
enrollments in the same transaction (the `adopt_merged_identity` process), so the history
never exists twice or nowhere.
"""

from __future__ import annotations

from domain.command import Context
from domain.errors import refuse
from domain.event import Event
from domain.id_numbers import RESIDENT_ID, normalise_certificate, parse_resident_id, person_id
from domain.person import commands as cmd
from domain.person import events as ev
from domain.person.rules import check_identity
from domain.person.state import Person


def target_number(c: cmd.MergeIdentity, ctx: Context) -> str:
    """The target identity's number, validated and normalised (a 15-digit ID upgraded)."""
    return check_identity(c.target_certificate_type, c.target_id_number, ctx, field="target_id_number")


def decide_merge_away(c: cmd.MergeIdentity, source: Person, ctx: Context) -> list[Event]:
    number = target_number(c, ctx)
    if normalise_certificate(c.target_certificate_type, number) == source.id_number and \
            c.target_certificate_type == source.certificate_type:
        raise refuse("target_id_number", "merge.same_identity", "source and target are the same identity")
    into = person_id(c.target_certificate_type, number)
    return [ev.IdentityMergedAway(effective=c.effective, into_person_id=into, into_id_number=number)]


def decide_adoption(c: cmd.MergeIdentity, source: Person, target: Person, ctx: Context) -> list[Event]:
    """The target's events: registered first if it never was, then the adopted enrollments."""
    if target.merged_into is not None:
        raise refuse("target_id_number", "person.merged", "the target identity was itself merged away")
    number = target_number(c, ctx)
    into: list[Event] = []
    if not target.registered:
        birth, gender = source.birth_date, source.gender
        if c.target_certificate_type == RESIDENT_ID:
            parsed = parse_resident_id(number, today=ctx.today, field="target_id_number")
            birth, gender = parsed.birth_date, parsed.gender
        assert birth is not None, "a registered source has a birth date"
        into.append(ev.PersonRegistered(
            effective=c.effective, certificate_type=c.target_certificate_type, id_number=number,
            name=source.name, gender=gender, birth_date=birth, ethnicity=source.ethnicity,
            nationality=source.nationality, survival_status=source.survival_status,
            civil_servant=source.civil_servant, phone=source.phone,
            household_region=source.household_region, address=source.address,
        ))
    into.append(ev.IdentityAdopted(
        effective=c.effective, from_person_id=person_id(source.certificate_type, source.id_number),
        from_id_number=source.id_number,
        enrollments=tuple(e.as_record() for e in source.enrollments.values()),
    ))
    return into
