"""The names of the log's tables, pinned: never derived from a class or application name."""

EVENTS_TABLE = "canbao_events"
COMMAND_LOG_TABLE = "command_log"
CHECKPOINT_TABLE = "audit_checkpoint"
