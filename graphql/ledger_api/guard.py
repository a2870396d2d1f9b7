"""What every request must survive before GraphQL sees it: a body too large, bytes that are
not UTF-8, JSON nested deeper than any real request. Each is answered 413 or 400 with a JSON
error naming the rule — never a 500, never a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 256 * 1024  # a GraphQL request of a real form is a few kilobytes
MAX_DEPTH = 32  # JSON nesting: variables of the deepest input are a handful of levels


def depth(value: Any) -> int:
    """How deeply a parsed JSON value nests, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(item, dict):
            stack.extend((inner, level + 1) for inner in item.values())
        elif isinstance(item, list):
            stack.extend((inner, level + 1) for inner in item)
    return deepest


def refusal(status: int, rule: str, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"errors": [{"message": message, "extensions": {"rule": rule}}]},
                              ensure_ascii=False).encode()


def check_body(body: bytes, content_type: str) -> tuple[int, bytes] | None:
    if "json" not in content_type:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as bad:
        return refusal(400, "request.encoding", f"the body is not UTF-8 (byte {bad.start})")
    try:
        parsed = orjson.loads(text) if text.strip() else None
    except orjson.JSONDecodeError as bad:  # also lone surrogates and nesting past orjson's own limit
        return refusal(400, "request.json", f"the body is not JSON a client should send: {bad}")
    if depth(parsed) > MAX_DEPTH:
        return refusal(400, "request.nesting", f"JSON nested deeper than {MAX_DEPTH} levels")
    return None


class RequestGuard:
    """ASGI middleware: reads a request's body once, within its limit, checks it, replays it."""

    def __init__(self, app: App, max_body: int = MAX_BODY, larger: dict[str, int] | None = None) -> None:
        # `larger`: paths that take bigger bodies (the service hall's uploads of scanned materials).
        self.app, self.max_body, self.larger = app, max_body, larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared, limit = headers.get("content-length", "0"), self.larger.get(scope["path"], self.max_body)
        if not declared.isdigit() or int(declared) > limit:
            await self.answer(send, *refusal(413, "request.too_large", f"the body exceeds {limit} bytes"))
            return
        body = await self.read(receive, limit)
        if body is None:
            await self.answer(send, *refusal(413, "request.too_large", f"the body exceeds {limit} bytes"))
            return
        problem = check_body(body, headers.get("content-type", ""))
        if problem:
            await self.answer(send, *problem)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def read(self, receive: Receive, limit: int) -> bytes | None:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    @staticmethod
    async def answer(send: Send, status: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
