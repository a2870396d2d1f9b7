from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import events as ev
from domain.events import EVENT_TYPES
from domain.requests.commands import Material
from eventlog.chain import GENESIS, event_hash
from eventlog.codec import COMPACT, MetaTemplate, decode, encode, json_form_of, recorded_prev_hash

META = ev.Meta(command_id=uuid4(), command="Test", recorded_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
               actor=ev.Actor(kind="office", id="c"), channel="office", prev_hash=GENESIS)
BEIJING = timezone(timedelta(hours=8))
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
st.register_type_strategy(str, text)
st.register_type_strategy(int, st.integers(-2**63, 2**63 - 1))  # the stored form's integers are 64-bit
st.register_type_strategy(Decimal, st.decimals(min_value=0, max_value=10**9, places=2))
st.register_type_strategy(Material, st.builds(
    Material, name=st.text("材料表ab", min_size=1, max_size=8), size=st.integers(1, 10**6),
    sha256=st.binary(min_size=32, max_size=32).map(bytes.hex)))


def instances(cls: type[ev.Event]) -> st.SearchStrategy[ev.Event]:
    """Any instance of an event class, every field drawn (optional ones too)."""
    return st.builds(cls, **{name: st.from_type(f.annotation) for name, f in cls.model_fields.items()})


metas = st.builds(
    ev.Meta, command_id=st.uuids(), command=text, channel=text, service_item=st.none() | text,
    recorded_at=st.datetimes(min_value=datetime(1990, 1, 1), timezones=st.sampled_from([timezone.utc, BEIJING])),
    actor=st.builds(ev.Actor, id=text, region=st.none() | text, unit_code=st.none() | text),
    evidence=st.lists(text, max_size=3).map(tuple), cause=st.none() | st.uuids(),
    prev_hash=st.binary(min_size=32, max_size=32).map(bytes.hex))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(EVENT_TYPES)).flatmap(lambda topic: instances(EVENT_TYPES[topic])), metas)
def test_every_event_reads_back_as_it_was_written_with_its_provenance(event, meta):
    topic, state = encode(event, meta)
    assert state[:1] == COMPACT and recorded_prev_hash(state) == meta.prev_hash
    decoded, decoded_meta = decode(topic, state)
    assert type(decoded) is type(event) and decoded == event
    assert decoded_meta == meta and decoded_meta.recorded_at.utcoffset() == meta.recorded_at.utcoffset()
    # Read without validation, the event is still what validation would have made of it.
    assert type(event).model_validate(decoded.model_dump()) == decoded


def test_a_commands_provenance_is_rendered_once_and_differs_per_event_only_in_hash_and_command_id():
    event = ev.PersonDied(effective=date(2024, 2, 29), reason="6401", ended_enrollment_ids=(uuid4(),))
    template, other = MetaTemplate(META), uuid4()
    assert encode(event, template.render("ab" * 32))[1] == encode(event, META.model_copy(
        update={"prev_hash": "ab" * 32}))[1]
    _, meta = decode("person.died.v1", encode(event, template.render("cd" * 32, other))[1])
    assert meta == META.model_copy(update={"prev_hash": "cd" * 32, "command_id": other})


def test_the_compact_form_is_well_under_the_json_it_replaced():
    """Issue 20: the median stored event at most 60% of the JSON form (820 bytes)."""
    imported = ev.LegacyEnrollmentImported(
        enrollment_id=uuid4(), insurance_type="310", region="350104", pooling_region="350100",
        unit_code="91350104TD8T2F0PHA", person_type="1101", effective=date(1998, 10, 1), reason="11",
        unit_name="350104示例单位0029有限公司", status="1", legacy_status="1", contribution_status="1",
        start=date(1998, 10, 1), end=None, recorded_name="余玉勇", local_person_number="P000000000",
        source="ex20k.csv", row=2, duplicates_of=())
    meta = META.model_copy(update={"command": "ImportLegacyEnrollment", "channel": "import",
                                   "actor": ev.Actor(kind="import_job", id="import:ex20k.csv"),
                                   "evidence": ("ex20k.csv",)})
    assert len(encode(imported, meta)[1]) <= 0.4 * len(json_form_of(imported, meta))


class Renamed(ev.Event):
    """A later version of an event: `note` was called `remark` in version 1, and stood first."""

    topic = "test.renamed"
    class_version = 2
    note: str

    @staticmethod
    def upcast_v1_v2(state: dict) -> dict:
        state["note"] = state.pop("remark")
        return state

    @staticmethod
    def upcast_compact_v1_v2(stored: list) -> list:
        remark, effective, reason = stored
        return [effective, reason, remark]


def test_an_old_version_of_an_event_stored_as_json_is_upcast_when_read():
    stored_v1 = (b'{"e":{"effective":"2020-01-01","reason":null,"remark":"old"},"m":'
                 + META.model_dump_json().encode() + b"}")
    event, meta = decode("test.renamed.v1", stored_v1)
    assert event == Renamed(effective=date(2020, 1, 1), note="old") and meta == META


def test_an_old_version_of_an_event_in_compact_form_is_upcast_when_read():
    from eventlog.compact import day_number, pack

    stored_v1 = MetaTemplate(META).render(GENESIS) + pack(["old", day_number(date(2020, 1, 1)), None])
    event, _ = decode("test.renamed.v1", stored_v1)
    assert event == Renamed(effective=date(2020, 1, 1), note="old")


def test_events_stored_as_json_before_the_compact_form_still_read_and_name_their_previous_hash():
    event = ev.PersonDied(effective=date(2024, 2, 29), reason="6401", ended_enrollment_ids=(uuid4(),))
    stored = json_form_of(event, META)
    assert decode("person.died.v1", stored) == (event, META)
    assert recorded_prev_hash(stored) == GENESIS and recorded_prev_hash(b"not an event") is None


def test_a_recorded_time_without_its_offset_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="UTC offset"):
        MetaTemplate(META.model_copy(update={"recorded_at": datetime(2026, 11, 1)}))


def test_the_hash_covers_position_topic_and_every_byte():
    sid = uuid4()
    base = event_hash(sid, 1, "t.v1", b"{}")
    variants = {base, event_hash(sid, 2, "t.v1", b"{}"), event_hash(sid, 1, "u.v1", b"{}"),
                event_hash(sid, 1, "t.v1", b"{ }"), event_hash(uuid4(), 1, "t.v1", b"{}")}
    assert len(variants) == 5
