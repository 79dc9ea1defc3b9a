"""JSON a client sends inside a request (a form field, a socket message), parsed so that no text can raise past the
route. ``json.loads`` recurses once per level of nesting, so a document nested a few thousand levels deep ('[[[[...')
raises ``RecursionError``, which is no ``JSONDecodeError``: a route catching only the latter answered such a field
with a 500, and a socket message with it closed the stream."""

from __future__ import annotations

import json
from typing import Any


class ClientJSONError(ValueError):
    """Text that is not a JSON document this service reads; the message says why, for the client."""


def loads(text: str | bytes) -> Any:
    """``text`` parsed as JSON; :class:`ClientJSONError` when it is not JSON or is nested too deeply to read. A
    leading byte-order mark, which Windows editors write before UTF-8 text, is not part of the JSON (RFC 8259 lets a
    parser ignore it; Python's refuses it)."""
    if isinstance(text, bytes):
        text = text.removeprefix(b"\xef\xbb\xbf")
    else:
        text = text.removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ClientJSONError(f"{err.msg} at position {err.pos}") from None
    except RecursionError:
        raise ClientJSONError("it is nested too deeply (arrays or objects within each other)") from None
