"""Where the ledger's configuration is read, in one place.

`DATABASE_URL` selects an external PostgreSQL; without it the ledger starts an embedded
PostgreSQL (pgserver) whose files live in `CANBAO_DATA_DIR`. `CANBAO_CLOCK` (or the
root option `--clock`) runs the ledger on a fixed or offset clock for drills and tests.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("canbao")) / "postgres"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    clock: str | None = None  # a clock spec (application.clock); None: the system clock
    horizon_days: int = 366  # how far ahead an effective date may lie (CANBAO_HORIZON_DAYS)

    @classmethod
    def from_env(cls, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        url = database_url or os.environ.get("DATABASE_URL") or None
        directory = data_dir or os.environ.get("CANBAO_DATA_DIR") or default_data_dir()
        horizon = os.environ.get("CANBAO_HORIZON_DAYS", "366")
        return cls(database_url=url, data_dir=Path(directory).expanduser(),
                   clock=os.environ.get("CANBAO_CLOCK") or None,
                   horizon_days=int(horizon) if horizon.isdigit() else 366)


def token_secret(settings: Settings) -> str:
    """The key that signs bearer tokens: `CANBAO_TOKEN_SECRET`, or one generated per
    installation and kept beside the data directory, readable by its owner only.
    There is no default key: a key in the repository would be a shared password."""
    if configured := os.environ.get("CANBAO_TOKEN_SECRET"):
        return configured
    path = settings.data_dir.with_name(settings.data_dir.name + ".token-secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
