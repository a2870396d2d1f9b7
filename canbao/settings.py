"""Where the ledger's configuration is read, in one place.

`DATABASE_URL` selects an external PostgreSQL; without it the ledger starts an embedded
PostgreSQL (pgserver) whose files live in `CANBAO_DATA_DIR`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("canbao")) / "postgres"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path

    @classmethod
    def from_env(cls, data_dir: Path | None = None, database_url: str | None = None) -> Settings:
        url = database_url or os.environ.get("DATABASE_URL") or None
        directory = data_dir or os.environ.get("CANBAO_DATA_DIR") or default_data_dir()
        return cls(database_url=url, data_dir=Path(directory).expanduser())
