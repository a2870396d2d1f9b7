"""The stored event log, and its only owner.

Everything that knows how events are laid out in PostgreSQL lives here: table names
(`tables`), the byte encoding and upcasting (`codec`), the per-stream hash chain
(`chain`), loading and appending with the command log (`store`), binary COPY framing and
the bulk append (`copy_binary`, `bulk`), running-hash checkpoints and verification
(`checkpoints`, `verify`), and the scans readers need (`scans`). It imports `domain` only;
nothing outside it writes SQL against these tables.
"""
