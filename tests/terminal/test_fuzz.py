"""Property tests: random and mutated frames thrown at the simulator server and
at the bridge. Each is rejected with a logged reason; the receiver keeps
running and still serves the next valid request on the same link."""

from __future__ import annotations

import json
import logging
import struct

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.core.terminal.codec import MAX_FRAME_BYTES, encode_frame
from app.core.terminal.events import EventKind
from app.core.terminal.messages import Category
from app.core.terminal.results import Outcome

from .conftest import STEADY
from .helpers import RawClient, wait_until

T = 5
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)

json_leaf = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats(allow_nan=False) | st.text(max_size=20)
json_any = st.recursive(json_leaf, lambda k: st.lists(k, max_size=3) | st.dictionaries(st.text(max_size=12), k,
                                                                                        max_size=4), max_leaves=12)


def frame(payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + payload


def paths_of(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield path + (k,)
            yield from paths_of(v, path + (k,))


def replace_at(obj, path, value):
    out = json.loads(json.dumps(obj))
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


mutation = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), min_size=1, max_size=4)),
    st.tuples(st.just("replace"), st.tuples(st.integers(0, 10**6), json_any)),
    st.tuples(st.just("truncate_payload"), st.integers(0, 10**6)),
)


def apply_mutation(obj: dict, how) -> bytes:
    """A well-framed mutation of `obj` (the length prefix always matches)."""
    kind, arg = how
    payload = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    if kind == "flip":
        data = bytearray(payload)
        for pos, xor in arg:
            data[pos % len(data)] ^= xor
        return frame(bytes(data))
    if kind == "replace":
        paths = list(paths_of(obj))
        index, value = arg
        return frame(json.dumps(replace_at(obj, paths[index % len(paths)], value)).encode())
    return frame(payload[: arg % len(payload)])


def differs(original: dict, data: bytes) -> bool:
    try:
        return json.loads(data[4:]) != original
    except ValueError:
        return True


# -- at the simulator server ---------------------------------------------------------------

def test_random_bytes_at_the_server(sim):
    probe = RawClient(sim.port, sale_id="PROBE-1")

    @FUZZ
    @given(st.binary(min_size=1, max_size=600))
    def check(data):
        before = len(sim.server.rejections)
        junk = RawClient(sim.port, sale_id="JUNK-1")
        junk.send(data)
        junk.close()
        wait_until(lambda: len(sim.server.rejections) > before)  # every non-empty junk is rejected and logged
        reply = probe.diagnosis_roundtrip(sim.engine.poi_id)
        assert reply["DiagnosisResponse"]["Response"]["Result"] == "Success"

    try:
        check()
    finally:
        probe.close()


def test_mutated_frames_at_the_server_same_connection(sim):
    client = RawClient(sim.port, sale_id="FUZZ-1")

    @FUZZ
    @given(mutation, st.sampled_from(["diagnosis", "payment"]))
    def check(how, which):
        if which == "diagnosis":
            obj, _ = client.request(Category.DIAGNOSIS, {}, poi_id=sim.engine.poi_id)
        else:
            obj, _ = client.request(Category.PAYMENT, {
                "SaleData": {"SaleTransactionID": {"TransactionID": "FZ-1", "TimeStamp": "2025-08-19T10:00:00+09:00"}},
                "PaymentTransaction": {"AmountsReq": {"Currency": "JPY", "RequestedAmount": 500}},
                "PaymentData": {"PaymentMethod": "credit"}}, poi_id=sim.engine.poi_id)
        data = apply_mutation(obj, how)
        assume(differs(obj, data))
        before = len(sim.server.rejections)
        client.send(data)
        # the next valid request on the very same connection is still served
        reply = client.diagnosis_roundtrip(sim.engine.poi_id)
        assert reply["DiagnosisResponse"]["Response"]["Result"] == "Success"
        assert len(sim.server.rejections) > before
        assert sim.engine.history() == []  # no mutated payment ever ran

    try:
        check()
    finally:
        client.close()


def test_oversized_frame_at_the_server_keeps_the_connection(sim):
    client = RawClient(sim.port, sale_id="BIG-1")
    try:
        size = MAX_FRAME_BYTES + 1000
        client.send(struct.pack(">I", size) + b"z" * size)
        reply = client.diagnosis_roundtrip(sim.engine.poi_id)
        assert reply["DiagnosisResponse"]["Response"]["Result"] == "Success"
        assert any("oversized" in r for r in sim.server.rejections)
    finally:
        client.close()


# -- at the bridge -------------------------------------------------------------------------

def test_random_and_mutated_frames_at_the_bridge(sim, proxy, make_bridge, caplog):
    caplog.set_level(logging.WARNING, logger="app.core.terminal.driver")
    bridge, events = make_bridge(proxy.port, timings=STEADY)
    assert bridge.login().result(T).connected
    sim.control.approve()
    assert bridge.pay("T-seed", 100, "credit").result(T).approved
    genuine = [json.loads(f[4:]) for f in proxy.server_frames]

    def dropped() -> int:
        return sum(1 for r in caplog.records if r.getMessage().startswith("dropped"))

    @FUZZ
    @given(st.one_of(
        st.tuples(st.just("random"), st.binary(max_size=300)),
        st.tuples(st.just("json"), json_any),
        st.tuples(st.just("mutated"), st.tuples(st.integers(0, 1000), mutation)),
        st.tuples(st.just("replayed"), st.integers(0, 1000)),
    ))
    def check(case):
        kind, arg = case
        if kind == "random":
            data = frame(arg)
        elif kind == "json":
            data = frame(json.dumps(arg).encode())
        elif kind == "mutated":
            original = genuine[arg[0] % len(genuine)]
            data = apply_mutation(original, arg[1])
            assume(differs(original, data))
        else:
            data = encode_frame(genuine[arg % len(genuine)])
        before = dropped()
        proxy.inject_to_client(data)
        result = bridge.diagnosis().result(T)  # answered after the injected frame on the same stream
        assert result.outcome is Outcome.SUCCESS
        assert dropped() > before
        assert not events.of(EventKind.LINK_DOWN)

    check()
    assert proxy.connections == 1  # the link survived every example
    sim.control.approve()
    assert bridge.pay("T-after-fuzz", 200, "credit").result(T).approved  # not 100: R-DUP would fire


def test_unframed_junk_at_the_bridge_costs_at_most_a_reconnect(sim, proxy, make_bridge):
    bridge, events = make_bridge(proxy.port)
    assert bridge.login().result(T).connected
    proxy.inject_to_client(b"\xff\xff\xff\xf0 this is not a frame")  # declares ~4 GiB: framing is lost
    events.wait_for(EventKind.LINK_DOWN, timeout=5)  # heartbeat unanswered → link closed
    events.wait_for(EventKind.LINK_UP, 2, timeout=5)  # reconnected by itself
    assert bridge.diagnosis().result(T).outcome is Outcome.SUCCESS


def test_frozen_terminal_is_detected_by_the_heartbeat(sim, proxy, make_bridge):
    bridge, events = make_bridge(proxy.port)
    assert bridge.login().result(T).connected
    proxy.blackhole = True
    events.wait_for(EventKind.LINK_DOWN, timeout=5)
    proxy.blackhole = False
    events.wait_for(EventKind.LINK_UP, 2, timeout=5)
    assert proxy.connections >= 2
