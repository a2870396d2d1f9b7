"""The log as Parquet, for engines beyond one machine (Dask): partitioned by a hash of the stream id
(a stream's events stay together, in version order), each partition's SHA-256 and row count in a
manifest bound to the audit checkpoint the export was made up to.

A reader verifies what it reads: a partition altered by one byte, or missing, is refused with its
name; the checkpoint digest in the manifest is the one `canbao digest` prints, so the export can
be tied to a digest kept outside the system. `--since` exports only what came after a checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID
from zlib import crc32

from eventlog import scans
from eventlog.checkpoints import record_checkpoint

FORMAT = 1
MANIFEST = "manifest.json"
BATCH = 50_000


class ExportRefused(ValueError):
    """An export a reader must not trust: the message names the partition."""


@dataclass(frozen=True)
class Partition:
    file: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format: int
    checkpoint: str  # the audit checkpoint the export runs up to (canbao-digest-v1:…)
    upto: int  # its notification id
    since: int  # events after this notification id (0: the whole log)
    partitions: list[Partition]


def partition_of(stream_id: UUID, partitions: int) -> int:
    return crc32(stream_id.bytes) % partitions


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([("originator_id", pa.binary(16)), ("originator_version", pa.int64()), ("topic", pa.string()),
                      ("state", pa.binary())])


def _digest_row(h: Any, stream: bytes, version: int, topic: str, state: bytes) -> None:
    h.update(stream)
    h.update(version.to_bytes(8, "big"))
    h.update(topic.encode())
    h.update(len(state).to_bytes(8, "big"))
    h.update(state)


def export_events(datastore: Any, directory: Path, partitions: int = 8, since: int = 0) -> Manifest:
    """Write the log (after `since`) up to a new audit checkpoint into `directory`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    checkpoint = record_checkpoint(datastore)
    files = [f"part-{n:03d}.parquet" for n in range(partitions)]
    writers = [pq.ParquetWriter(directory / f, _schema()) for f in files]
    hashes = [hashlib.sha256() for _ in files]
    counts = [0] * partitions
    buffers: list[list[dict[str, Any]]] = [[] for _ in files]

    def flush(n: int) -> None:
        if buffers[n]:
            writers[n].write_table(pa.Table.from_pylist(buffers[n], schema=_schema()))
            buffers[n] = []

    with datastore.get_connection() as conn, conn.transaction():
        rows = scans.by_stream(conn, checkpoint.notification_id, name="canbao_export") if not since else \
            scans.by_stream_after(conn, since, checkpoint.notification_id)
        for row in rows:
            stream: UUID = row["originator_id"]
            n = partition_of(stream, partitions)
            state = bytes(row["state"])
            buffers[n].append({"originator_id": stream.bytes, "originator_version": row["originator_version"],
                               "topic": row["topic"], "state": state})
            _digest_row(hashes[n], stream.bytes, row["originator_version"], row["topic"], state)
            counts[n] += 1
            if len(buffers[n]) >= BATCH:
                flush(n)
    for n, writer in enumerate(writers):
        flush(n)
        writer.close()
    manifest = Manifest(FORMAT, str(checkpoint), checkpoint.notification_id, since,
                        [Partition(f, c, h.hexdigest()) for f, c, h in zip(files, counts, hashes, strict=True)])
    (directory / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
    return manifest


def read_manifest(directory: Path) -> Manifest:
    try:
        raw = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as bad:
        raise ExportRefused(f"{directory}: no readable {MANIFEST} ({bad})") from None
    return Manifest(raw["format"], raw["checkpoint"], raw["upto"], raw["since"],
                    [Partition(**p) for p in raw["partitions"]])


def read_partition(directory: Path, partition: Partition) -> Iterator[dict[str, Any]]:
    """The partition's rows as the log's scans give them (stream id, version, topic, state), after
    checking its content against the manifest; refused, naming it, if it is missing or altered."""
    import pyarrow.parquet as pq

    path = directory / partition.file
    if not path.exists():
        raise ExportRefused(f"partition {partition.file} is missing from {directory}")
    try:
        table = pq.read_table(path, schema=_schema())
    except Exception as bad:  # a damaged file is refused like an altered one
        raise ExportRefused(f"partition {partition.file} cannot be read: {bad}") from None
    h, rows = hashlib.sha256(), []
    for record in table.to_pylist():
        _digest_row(h, record["originator_id"], record["originator_version"], record["topic"], record["state"])
        rows.append({"originator_id": UUID(bytes=record["originator_id"]),
                     "originator_version": record["originator_version"], "topic": record["topic"],
                     "state": record["state"]})
    if len(rows) != partition.rows or h.hexdigest() != partition.sha256:
        raise ExportRefused(f"partition {partition.file} is not what was exported (altered: its content no longer "
                            "matches the manifest)")
    return iter(rows)


def verify_export(directory: Path) -> Manifest:
    """Every partition present and unaltered, or ExportRefused naming the first that is not."""
    manifest = read_manifest(directory)
    for partition in manifest.partitions:
        for _ in read_partition(directory, partition):
            pass
    return manifest
