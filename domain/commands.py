"""Every command the ledger takes, in one place to read: the base vocabulary and each
aggregate's commands (they live in the aggregate's folder; this module only gathers them)."""

from domain.campaign.commands import *  # noqa: F403
from domain.command import *  # noqa: F403
from domain.person.commands import *  # noqa: F403
from domain.requests.commands import *  # noqa: F403
from domain.unit.commands import *  # noqa: F403
