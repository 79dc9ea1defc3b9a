"""A request's body bounded before a route sees it.

Starlette spools a multipart file to disk whole before the route reads it, and a recorded video is copied on from
there: without a bound, one upload of any size fills the disk the database and the evidence are kept on. A request
that declares a body over its route's limit (``Content-Length``) is answered 413 at once; one that sends more than
that without declaring it (chunked) is cut at the limit and answered 413 as well, whatever the route made of the
cut (FastAPI answers a form it could not read with a 400).

Written here as a small ASGI wrapper: Starlette and uvicorn have no per-route body limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]


class _BodyTooLarge(Exception):
    pass


class BodyLimit:
    """ASGI middleware: ``limit(path)`` bytes of body at most per HTTP request (WebSockets are left to the server's
    own message limit)."""

    def __init__(self, app: Any, limit: Callable[[str], int]) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Callable[[], Any], send: Callable[[Message], Any]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received, cut, answered = 0, False, False

        async def counted() -> Message:
            nonlocal received, cut
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    cut = True
                    raise _BodyTooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if cut:  # the route's answer to a body cut short is replaced by the reason
                if message["type"] == "http.response.start" and not answered:
                    answered = True
                    await _too_large(send, limit)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _BodyTooLarge:
            if not answered:
                await _too_large(send, limit)


async def _too_large(send: Callable[[Message], Any], limit: int) -> None:
    body = json.dumps({"detail": f"the upload is larger than this service accepts here ({limit} bytes)"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
