"""The row a service request's history contributes to the 台账 (service_request)."""

from __future__ import annotations

from domain.id_numbers import person_id
from domain.requests.state import (
    ACCEPTED,
    APPROVED,
    COMPLETED,
    CONTACT_LETTER,
    INFORMATION_SHEET,
    REJECTED,
    fold,
)
from projections.person_rows import Row, StreamHistory

COLUMNS = (
    "stream_id request_id item_code command stage region person_id id_number unit_code applicant_kind "
    "online_review applied_on accepted_on accepted_by reviewed_on reviewed_by completed_on completed_by "
    "rejection applied_at last_step_at step linked_request letter_on sheet_on").split()


def service_request_rows(stream: StreamHistory) -> list[Row]:
    request = fold(r.event for r in stream.history)
    if request.request_id is None:
        return []
    applied, last = stream.history[0], stream.history[-1]
    accepted, completed = request.on(ACCEPTED), request.on(COMPLETED)
    reviewed = request.on(APPROVED) or request.on(REJECTED)
    letter, sheet = request.on(CONTACT_LETTER), request.on(INFORMATION_SHEET)
    person = person_id(request.certificate_type, request.id_number) if request.id_number else None
    unit = request.unit_code or applied.meta.actor.unit_code
    return [(stream.stream_id, request.request_id, request.item_code, request.command, request.stage,
             request.region, person, request.id_number, unit, applied.meta.actor.kind, request.online_review,
             applied.event.effective, accepted and accepted.on, accepted and accepted.office,
             reviewed and reviewed.on, reviewed and reviewed.office, completed and completed.on,
             completed and completed.office, request.rejection, applied.meta.recorded_at, last.meta.recorded_at,
             request.step, request.linked_request, letter and letter.on, sheet and sheet.on)]
