"""The compact stored form is positional (eventlog/compact.py): a class's fields, in order and
with their types, are the layout of its stored version. Changing them without a new
`class_version` (and an upcaster) would make every event already stored read wrongly, so each
layout is recorded in tests/fixtures/stored_layouts.json and held here.

After adding an event class (or a new version of one), record its layout with
`python -m tests.unit.test_stored_layouts` and commit the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from domain.event import Actor
from domain.events import EVENT_TYPES
from eventlog.codec import stored_topic

RECORDED = Path(__file__).parents[1] / "fixtures" / "stored_layouts.json"


def _models(annotation: object) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def layouts() -> dict[str, list[str]]:
    """Every stored version's fields and types, with the nested models they store."""
    found: dict[str, list[str]] = {}
    pending: list[tuple[str, type[BaseModel]]] = [(stored_topic(c), c) for c in EVENT_TYPES.values()
                                                   if not c.topic.startswith("test.")]
    pending.append(("Actor", Actor))
    while pending:
        key, cls = pending.pop()
        found[key] = [f"{name}: {f.annotation!r}" for name, f in cls.model_fields.items()]
        pending += [(m.__name__, m) for f in cls.model_fields.values() for m in _models(f.annotation)
                    if m.__name__ not in found]
    return dict(sorted(found.items()))


def test_no_stored_layout_changed_without_a_new_class_version():
    recorded = json.loads(RECORDED.read_text(encoding="utf-8"))
    current = layouts()
    changed = sorted(k for k in recorded if k in current and current[k] != recorded[k])
    assert not changed, f"fields changed without a new class_version (and an upcaster): {changed}"
    unrecorded = sorted(set(current) - set(recorded))
    assert not unrecorded, f"record these layouts (python -m tests.unit.test_stored_layouts): {unrecorded}"


if __name__ == "__main__":
    # Keep the layouts of versions no longer current: events of those versions are still stored.
    merged = {**json.loads(RECORDED.read_text(encoding="utf-8")), **layouts()} if RECORDED.exists() else layouts()
    RECORDED.write_text(json.dumps(dict(sorted(merged.items())), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
    sys.stdout.write(f"recorded {len(merged)} layouts in {RECORDED}\n")
