"""JSON sent inside a request: read as RFC 8259 allows, refused with a reason a client can act on, never a crash."""

from __future__ import annotations

import pytest

from serving.client_json import ClientJSONError, loads

DOC = '{"business": "transfer", "applicant": {"name": "张三"}}'
PARSED = {"business": "transfer", "applicant": {"name": "张三"}}


@pytest.mark.parametrize(
    "text",
    [DOC, DOC.encode(), "\ufeff" + DOC, b"\xef\xbb\xbf" + DOC.encode()],
    ids=["text", "utf-8 bytes", "text after a byte-order mark", "bytes after a byte-order mark"],
)
def test_a_document_is_read_with_or_without_the_byte_order_mark_windows_editors_write(text):
    assert loads(text) == PARSED


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{business: transfer}", "Expecting property name enclosed in double quotes at position 1"),
        ("", "Expecting value at position 0"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),  # RecursionError inside json.loads
        ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
        ("\ufeff\ufeff" + DOC, "Unexpected UTF-8 BOM"),  # one mark is ignored, not any number
    ],
    ids=["not json", "empty", "arrays nested too deeply", "objects nested too deeply", "two marks"],
)
def test_what_is_not_json_says_why(text, reason):
    with pytest.raises(ClientJSONError) as err:
        loads(text)
    assert reason in str(err.value)
