"""A hostile or broken peer: refused with a code, the session closed, nothing revealed,
both sides told."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jointprobe import deconflict
from jointprobe.deconflict.crypto import SUITE, hash_selectors
from jointprobe.deconflict.errors import CapExceeded, RateLimited
from jointprobe.deconflict.tables import DeconflictSession
from jointprobe.deconflict.worker import run_pending, sweep
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.wire import b64e
from jointprobe.timeutil import utcnow

from .pairs import CN, Carrier, case_with_phones, send_raw, sessions, two_nodes, user

PHONES = ["+86 311 5555 0101", "+1 504 555 0101", "+1 504 555 0102"]


def _offered(tmp_path: Path, **settings: Any) -> tuple[Any, Any, Carrier, str]:
    us, cn = two_nodes(tmp_path, **settings)
    case_with_phones(us, "diana", PHONES)
    case_with_phones(cn, "xingtai", PHONES[:2])
    with us.write_session() as s:
        sid = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN, case_id="diana").id
    carrier = Carrier()
    carrier.settle(us, cn)
    return us, cn, carrier, sid


def _points(count: int) -> bytes:
    return hash_selectors("ef" * 16, [("phone", str(i)) for i in range(count)])


def _accept(cn: Any, us: Any, sid: str, size: int) -> None:
    send_raw(cn, us, "psi-accept",
             {"session": sid, "size": size, "groups": [{"kind": "*", "size": size}]})  # fmt: skip


def _round(cn: Any, us: Any, sid: str, name: str, data: bytes, chunk: int = 0, chunks: int = 1):
    body = {"session": sid, "round": name, "chunk": chunk, "chunks": chunks, "points": b64e(data)}
    send_raw(cn, us, "psi-points", body)


def _closed_on_both_sides(us: Any, cn: Any, carrier: Carrier, code: str) -> None:
    carrier.settle(us, cn)
    [ours] = sessions(us)
    assert (ours.state, ours.code, ours.count, ours.shared) == ("closed", code, None, None)
    assert ours.scalar is None
    theirs = [r for r in sessions(cn) if r.id == ours.id]
    if theirs:  # the peer ran a real session: it was told
        assert (theirs[0].state, theirs[0].code) == ("closed", f"peer:{code}")


#: a u-coordinate on the twist: u³ + Au² + u is not a square for u = 2
TWIST = (2).to_bytes(32, "little")
#: a point of order 8 (one of the two canonical u-coordinates libsodium refuses)
ORDER_8 = bytes.fromhex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff" * 32,  # the top bit set
        bytes(32),  # u = 0, of order 2
        bytes([0xED] + [0xFF] * 30 + [0x7F]),  # p itself: a non-canonical encoding of 0
        (9 + 2**255).to_bytes(32, "little"),  # the base point with the top bit set
        TWIST,
        ORDER_8,
    ],
    ids=["garbage", "order-2", "non-canonical", "top-bit", "twist", "order-8"],
)
def test_a_malformed_point_closes_the_session(tmp_path: Path, bad: bytes) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _round(cn, us, sid, "y", _points(1) + bad)
    _round(cn, us, sid, "z", _points(3))
    _closed_on_both_sides(us, cn, carrier, "deconflict.bad_point")


@pytest.mark.parametrize("bad", [b"\xff" * 32, TWIST, ORDER_8], ids=["garbage", "twist", "order-8"])
def test_a_malformed_point_in_a_compared_round_is_refused_on_arrival(
    tmp_path: Path, bad: bytes
) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _round(cn, us, sid, "z", _points(2) + bad)
    carrier.carry(cn, us)  # applied on arrival: no computing step ran
    [ours] = sessions(us)
    assert (ours.state, ours.code) == ("closed", "deconflict.bad_point")
    _closed_on_both_sides(us, cn, carrier, "deconflict.bad_point")


def test_an_offer_in_another_suite_is_refused_and_the_peer_told(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)
    offer = {"session": "ab" * 16, "kinds": ["phone"], "size": 1,
             "groups": [{"kind": "*", "size": 1}], "expires": "2099-01-01T00:00:00Z"}  # fmt: skip
    send_raw(us, cn, "psi-offer", offer)  # no suite: an older node's ristretto255/1
    Carrier().settle(us, cn)
    [theirs] = sessions(cn)
    assert (theirs.state, theirs.code) == ("closed", "deconflict.unsupported_suite")
    assert "ristretto255/1" in (theirs.reason or "")


def test_the_sweeper_closes_a_stalled_session_and_tells_the_peer(tmp_path: Path) -> None:
    fresh_us, _ = two_nodes(tmp_path / "fresh")
    assert sweep(fresh_us) == []  # nothing stale: not even the write lock is taken
    us, cn, carrier, sid = _offered(tmp_path)
    with us.write_session() as s:  # our deadline passed; nobody looks at the session
        row = s.get(DeconflictSession, sid)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    assert sweep(us) == [sid]  # the worker's sweep closes it
    carrier.settle(us, cn)
    [ours], [theirs] = sessions(us), sessions(cn)
    assert (ours.state, ours.code) == ("closed", "deconflict.timeout")
    assert (theirs.state, theirs.code) == ("closed", "peer:deconflict.timeout")


def test_points_that_are_not_whole_encodings_close_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _round(cn, us, sid, "y", _points(2)[:40])
    _closed_on_both_sides(us, cn, carrier, "deconflict.bad_point")


def test_a_reused_session_id_is_refused_and_the_session_closed(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    offer = {"session": sid, "kinds": ["phone"], "size": 1, "groups": [{"kind": "*", "size": 1}],
             "expires": "2099-01-01T00:00:00Z"}  # fmt: skip
    send_raw(cn, us, "psi-offer", offer)
    carrier.settle(us, cn)
    [ours] = sessions(us)
    assert (ours.role, ours.state, ours.code) == (
        "initiator",
        "closed",
        "deconflict.session_reused",
    )
    [theirs] = sessions(cn)
    assert (theirs.state, theirs.code) == ("closed", "peer:deconflict.session_reused")


def test_an_offer_reusing_an_ended_session_is_refused_without_touching_it(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    with us.write_session() as s:
        deconflict.decline(s, user(us), node_keys(us), sid)
    carrier.settle(us, cn)
    offer = {"session": sid, "kinds": ["phone"], "size": 1, "groups": [{"kind": "*", "size": 1}],
             "expires": "2099-01-01T00:00:00Z"}  # fmt: skip
    send_raw(cn, us, "psi-offer", offer)
    carrier.settle(us, cn)
    [ours] = sessions(us)
    assert (ours.state, ours.code) == ("closed", "deconflict.declined")
    [theirs] = sessions(cn)
    assert theirs.code == "peer:deconflict.declined"


def test_more_elements_than_announced_close_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _round(cn, us, sid, "y", _points(3))
    _closed_on_both_sides(us, cn, carrier, "deconflict.too_many_elements")


def test_fewer_elements_than_announced_close_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 3)
    _round(cn, us, sid, "y", _points(2))
    _closed_on_both_sides(us, cn, carrier, "deconflict.protocol")


def test_a_replayed_round_closes_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _round(cn, us, sid, "y", _points(1), chunk=0, chunks=2)
    _round(cn, us, sid, "y", _points(1), chunk=0, chunks=2)
    _closed_on_both_sides(us, cn, carrier, "deconflict.replayed_round")


def test_a_second_accept_is_a_replayed_round(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _accept(cn, us, sid, 2)
    _accept(cn, us, sid, 2)
    _closed_on_both_sides(us, cn, carrier, "deconflict.replayed_round")


def test_a_round_out_of_turn_closes_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    _round(cn, us, sid, "y", _points(2))  # before any accept
    _closed_on_both_sides(us, cn, carrier, "deconflict.protocol")


def test_a_reveal_before_both_owners_agreed_closes_the_session(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    carrier.settle(us, cn)
    send_raw(cn, us, "psi-reveal", {"session": sid, "positions": [0, 1]})
    carrier.settle(us, cn)
    [ours] = sessions(us)
    assert (ours.state, ours.code, ours.shared) == ("closed", "deconflict.protocol", None)
    assert [r.code for r in sessions(cn)] == ["peer:deconflict.protocol"]


def test_a_stalled_peer_times_out_and_both_sides_are_told(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    run_pending(cn)
    carrier.pending(cn, us)  # the peer's answer never arrives
    later = utcnow() + timedelta(seconds=us.settings.deconflict_timeout_seconds + 1)
    with us.write_session() as s:
        assert deconflict.expire_stalled(s, node_keys(us), now=later) == [sid]
    carrier.settle(us, cn)
    [ours], [theirs] = sessions(us), sessions(cn)
    assert (ours.state, ours.code) == ("closed", "deconflict.timeout")
    assert (theirs.state, theirs.code, theirs.count) == ("closed", "peer:deconflict.timeout", None)


def test_an_offer_over_the_set_cap_is_refused_and_the_peer_told(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path, deconflict_max_elements=2)
    case_with_phones(us, "diana", PHONES)
    with us.write_session() as s, pytest.raises(CapExceeded):
        deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN, case_id="diana")
    offer = {"session": "ab" * 16, "suite": SUITE, "kinds": ["phone"], "size": 3,
             "groups": [{"kind": "*", "size": 3}], "expires": "2099-01-01T00:00:00Z"}  # fmt: skip
    send_raw(us, cn, "psi-offer", offer)
    Carrier().settle(us, cn)
    [theirs] = sessions(cn)
    assert (theirs.state, theirs.code) == ("closed", "deconflict.cap_exceeded")


def test_sessions_per_day_are_capped_on_both_sides(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path, deconflict_sessions_per_day=1)
    case_with_phones(us, "diana", PHONES)
    carrier = Carrier()
    with us.write_session() as s:
        deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN, case_id="diana")
    carrier.settle(us, cn)
    with us.write_session() as s, pytest.raises(RateLimited) as refused:
        deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN, case_id="diana")
    assert refused.value.status == 429
    offer = {"session": "cd" * 16, "suite": SUITE, "kinds": ["phone"], "size": 1,
             "groups": [{"kind": "*", "size": 1}], "expires": "2099-01-01T00:00:00Z"}  # fmt: skip
    send_raw(us, cn, "psi-offer", offer)
    carrier.settle(us, cn)
    refused_row = next(r for r in sessions(cn) if r.id == "cd" * 16)
    assert (refused_row.state, refused_row.code) == ("closed", "deconflict.rate_limited")


def test_a_peer_asking_much_more_than_it_offers_is_flagged(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path, deconflict_ask_ratio=1.0)
    case_with_phones(us, "diana", PHONES)
    case_with_phones(cn, "xingtai", PHONES[:1])
    carrier = Carrier()
    with us.write_session() as s:
        sid = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN, case_id="diana").id
    carrier.settle(us, cn)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    carrier.settle(us, cn)
    [theirs], [ours] = sessions(cn), sessions(us)
    assert theirs.flag and "3 selectors against our 1" in theirs.flag
    assert ours.flag is None and ours.count == 1


def test_a_round_arriving_after_the_deadline_closes_the_session_instead(tmp_path: Path) -> None:
    us, cn, carrier, sid = _offered(tmp_path)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai")
    with us.write_session() as s:  # our deadline passes (set, not slept for: a loaded
        row = s.get(DeconflictSession, sid)  # machine may take a second to offer)
        assert row is not None
        row.expires_at = utcnow() - timedelta(days=1)
    carrier.settle(us, cn)
    [ours], [theirs] = sessions(us), sessions(cn)
    assert (ours.state, ours.code, ours.count) == ("closed", "deconflict.timeout", None)
    assert theirs.state == "closed" and theirs.count is None
