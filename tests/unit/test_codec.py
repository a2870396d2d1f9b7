from datetime import date, datetime, timezone
from uuid import uuid4

from domain import events as ev
from eventlog.chain import event_hash
from eventlog.codec import decode, encode

META = ev.Meta(command_id=uuid4(), command="Test", recorded_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
               actor=ev.Actor(kind="office", id="c"), channel="office")


def test_events_round_trip_through_their_stored_form_dates_included():
    event = ev.PersonDied(effective=date(2024, 2, 29), reason="6401", ended_enrollment_ids=(uuid4(),))
    topic, state = encode(event, META)
    assert topic == "person.died.v1" and decode(topic, state) == (event, META)


class Renamed(ev.Event):
    """A later version of an event: `note` was called `remark` in version 1."""

    topic = "test.renamed"
    class_version = 2
    note: str

    @staticmethod
    def upcast_v1_v2(state: dict) -> dict:
        state["note"] = state.pop("remark")
        return state


def test_an_old_version_of_an_event_is_upcast_when_read():
    stored_v1 = (
        b'{"e":{"effective":"2020-01-01","reason":null,"remark":"old"},"m":' + META.model_dump_json().encode() + b"}"
    )
    event, _ = decode("test.renamed.v1", stored_v1)
    assert event == Renamed(effective=date(2020, 1, 1), note="old")


def test_the_hash_covers_position_topic_and_every_byte():
    sid = uuid4()
    base = event_hash(sid, 1, "t.v1", b"{}")
    assert (
        len(
            {
                base,
                event_hash(sid, 2, "t.v1", b"{}"),
                event_hash(sid, 1, "u.v1", b"{}"),
                event_hash(sid, 1, "t.v1", b"{ }"),
                event_hash(uuid4(), 1, "t.v1", b"{}"),
            }
        )
        == 5
    )


def test_the_stored_form_is_the_envelope_model_serialised_whole():
    """encode() assembles {"e":…,"m":…} from parts; the bytes must be what the decoder's
    envelope model writes, or hashes of stored events would change meaning."""
    from eventlog.codec import MetaJson, _model

    event = ev.PersonRegistered(
        effective=date(2020, 1, 1),
        certificate_type="01",
        id_number="11010519491231002X",
        name='张·三\u2028"引号"',
        gender="2",
        birth_date=date(1949, 12, 31),
        ethnicity="01",
        nationality="CHN",
        warnings=("注意",),
    )
    meta = META.model_copy(update={"prev_hash": "ab" * 32, "evidence": ("附件.csv",)})
    whole = _model(event.topic).model_construct(e=event, m=meta)
    expected = whole.__pydantic_serializer__.to_json(whole)
    assert encode(event, meta)[1] == expected
    assert encode(event, MetaJson(meta).render("ab" * 32))[1] == expected
    other = uuid4()
    assert (
        MetaJson(meta).render("cd" * 32, str(other).encode())
        == meta.model_copy(update={"prev_hash": "cd" * 32, "command_id": other}).model_dump_json().encode()
    )
