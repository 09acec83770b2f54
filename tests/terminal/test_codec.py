"""Framing: round trips and every rejection (app/core/terminal/codec.py)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.terminal.codec import MAX_FRAME_BYTES, FrameDecoder, FrameError, decode_payload, encode_frame

json_scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=30)
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=10), kids, max_size=4), max_leaves=20)
json_objects = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


@given(json_objects)
def test_round_trip(obj):
    data = encode_frame(obj)
    assert struct.unpack(">I", data[:4])[0] == len(data) - 4
    assert FrameDecoder().feed(data) == [obj]


@given(st.lists(json_objects, min_size=1, max_size=4), st.integers(1, 7))
def test_round_trip_in_arbitrary_chunks(objs, chunk):
    data = b"".join(encode_frame(o) for o in objs)
    decoder = FrameDecoder()
    out = []
    for i in range(0, len(data), chunk):
        out += decoder.feed(data[i:i + chunk])
    assert out == objs
    assert decoder.close() is None


def test_japanese_text_is_utf8():
    data = encode_frame({"OutputText": "カードを挿入してください"})
    assert "カード".encode("utf-8") in data


def reason_of(payload: bytes) -> str:
    with pytest.raises(FrameError) as info:
        decode_payload(payload)
    return info.value.reason


@pytest.mark.parametrize("payload, reason", [
    (b"", "empty"),
    (b"\xff\xfe{}", "not_utf8"),
    (b"{not json", "not_json"),
    (b'{"a": NaN}', "not_json"),
    (b'{"a": Infinity}', "not_json"),
    (b"[1, 2, 3]", "not_object"),
    (b'"text"', "not_object"),
    (b"42", "not_object"),
    (b"null", "not_object"),
    (b'{"a": 1, "a": 2}', "duplicate_key"),
    (b'{"x": {"a": 1, "a": 1}}', "duplicate_key"),
    (b"[" * 30000 + b"]" * 30000, "too_deep"),
])
def test_payload_rejections(payload, reason):
    assert reason_of(payload) == reason


def test_encode_refuses_oversized_and_non_objects():
    with pytest.raises(FrameError) as info:
        encode_frame({"x": "a" * MAX_FRAME_BYTES})
    assert info.value.reason == "oversized"
    with pytest.raises(FrameError) as info:
        encode_frame([1, 2])  # type: ignore[arg-type]
    assert info.value.reason == "not_object"
    with pytest.raises(FrameError) as info:
        encode_frame({"x": float("nan")})
    assert info.value.reason == "not_json"


def test_max_size_frame_is_accepted():
    filler = MAX_FRAME_BYTES - len(b'{"x":""}')
    obj = {"x": "a" * filler}
    data = encode_frame(obj)
    assert len(data) == MAX_FRAME_BYTES + 4
    assert FrameDecoder().feed(data) == [obj]


def test_oversized_declared_length_is_skipped_and_stream_resyncs():
    decoder = FrameDecoder()
    big = MAX_FRAME_BYTES + 10
    out = decoder.feed(struct.pack(">I", big) + b"x" * 100)
    assert len(out) == 1 and isinstance(out[0], FrameError) and out[0].reason == "oversized"
    assert decoder.mid_frame
    # the rest of the oversized payload, then a good frame in the same chunk
    out = decoder.feed(b"y" * (big - 100) + encode_frame({"ok": 1}))
    assert out == [{"ok": 1}]
    assert not decoder.mid_frame


def test_truncated_frame_reported_at_end_of_stream():
    decoder = FrameDecoder()
    data = encode_frame({"a": 1})
    assert decoder.feed(data[:-2]) == []
    error = decoder.close()
    assert isinstance(error, FrameError) and error.reason == "truncated"
    assert decoder.close() is None  # state cleared


def test_bad_frame_in_the_middle_does_not_break_the_next():
    data = frame(b"garbage") + frame(b"[]") + encode_frame({"good": True})
    out = FrameDecoder().feed(data)
    assert [o.reason if isinstance(o, FrameError) else o for o in out] == ["not_json", "not_object", {"good": True}]


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_random_bytes_never_raise(data):
    decoder = FrameDecoder()
    for item in decoder.feed(data):
        assert isinstance(item, (dict, FrameError))
    decoder.close()
