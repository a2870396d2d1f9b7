"""Server settings for one block of the caller's transaction, given back as they were after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg.rows import tuple_row


@contextmanager
def settings_for(conn: Any, **values: str) -> Iterator[None]:
    """`values` (setting → value) in force for the block, as SET LOCAL would set them; then each
    put back to what it was before — not to the server's default, which the caller may have
    changed. (A block that raises has aborted the transaction, which forgets them anyway.)"""
    with conn.cursor(row_factory=tuple_row) as curs:
        before = {name: curs.execute("SELECT current_setting(%s), set_config(%s, %s, true)",
                                     (name, name, value)).fetchone()[0] for name, value in values.items()}
    yield
    with conn.cursor(row_factory=tuple_row) as curs:
        for name, was in before.items():
            curs.execute("SELECT set_config(%s, %s, true)", (name, was))
