"""The application layer: one generic service that carries a command through the ledger.

load → authorise → decide → append, with retries and idempotency, on an injected clock.
Which streams a command loads and which decider it calls is a row of `routing`.
"""
