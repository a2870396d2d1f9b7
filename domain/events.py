"""Everything the ledger records, in one place to read: the event base and provenance, and
each aggregate's events (they live in the aggregate's folder; this module only gathers them).

Each event type has a stable `topic` (stored in the event table; never derived from the
class name, so classes can be renamed) and a `class_version` for upcasting. Every event has
a valid time (`effective`: when it takes effect); its system time and provenance travel in
the `Meta` envelope beside it.
"""

from domain.campaign.events import *  # noqa: F403
from domain.event import *  # noqa: F403
from domain.event import EVENT_TYPES
from domain.person.events import *  # noqa: F403
from domain.requests.events import *  # noqa: F403
from domain.unit.events import *  # noqa: F403

PERSON_EVENTS = tuple(t for t in EVENT_TYPES.values() if t.topic.startswith("person."))
