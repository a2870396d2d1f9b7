"""The service request as a decider the application can route commands to."""

from __future__ import annotations

from domain.decider import Aggregate
from domain.requests.decider import decide
from domain.requests.state import INITIAL, ServiceRequest, evolve, request_stream

REQUEST = Aggregate[ServiceRequest]("request", lambda c: request_stream(c.request_id), INITIAL, evolve, decide)
