"""A hostile peer's per-kind groups (review M1): a kind the session does not compare is
refused; groups below the minimum are merged, so the peer learns a count, never which
of its selectors matched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from jointprobe import deconflict
from jointprobe.deconflict import worker
from jointprobe.deconflict.crypto import SUITE, Groups, hash_selectors, shuffle_points
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.wire import b64e

from .pairs import CN, US, Carrier, case_with_phones, send_raw, sessions, two_nodes, user

PHONES = ["+86 311 5555 0101", "+1 504 555 0101", "+1 504 555 0102"]
KINDS = ["email", "phone", "wallet"]


def _points(count: int, salt: str = "ef") -> bytes:
    return hash_selectors(salt * 16, [("phone", str(i)) for i in range(count)])


def _round(a: Any, b: Any, sid: str, name: str, data: bytes) -> None:
    body = {"session": sid, "round": name, "chunk": 0, "chunks": 1, "points": b64e(data)}
    send_raw(a, b, "psi-points", body)


def _count(us: Any, cn: Any, carrier: Carrier) -> None:
    """Deliver the hostile peer's rounds and let our worker count (our w is not carried
    back: the peer's own node never joined the session it forged)."""
    carrier.carry(cn, us)
    while worker.run_pending(us):
        pass


@pytest.fixture
def shuffles(monkeypatch: pytest.MonkeyPatch) -> list[Groups]:
    """The groups each shuffle of a peer's round was made within."""
    seen: list[Groups] = []
    real = shuffle_points

    def spy(points: bytes, groups: Groups) -> bytes:
        seen.append(list(groups))
        return real(points, groups)

    monkeypatch.setattr(worker, "shuffle_points", spy)
    return seen


def _started(tmp_path: Path, **settings: Any) -> tuple[Any, Any, Carrier, str]:
    us, cn = two_nodes(tmp_path, **settings)
    case_with_phones(us, "diana", PHONES)
    with us.write_session() as s:
        sid = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN,
                               case_id="diana", kinds=KINDS, by_kind=True).id  # fmt: skip
    carrier = Carrier()
    carrier.settle(us, cn)
    return us, cn, carrier, sid


def test_a_responder_declaring_groups_of_one_gets_one_shuffled_group(
    tmp_path: Path, shuffles: list[Groups]
) -> None:
    us, cn, carrier, sid = _started(tmp_path)
    singles = [{"kind": k, "size": 1} for k in KINDS]  # one selector per "group"
    send_raw(cn, us, "psi-accept", {"session": sid, "by_kind": True, "size": 3, "groups": singles})
    _round(cn, us, sid, "y", _points(3))
    _round(cn, us, sid, "z", _points(3, "ab"))
    _count(us, cn, carrier)
    [ours] = sessions(us)
    assert ours.state == "counted" and ours.by_kind_agreed
    assert shuffles == [[("*", 3)]]  # w: shuffled as one, not left in the peer's order
    assert ours.kind_counts == {"*": ours.count}  # the count says the kinds were merged


def test_an_initiator_declaring_groups_of_one_gets_one_shuffled_group(
    tmp_path: Path, shuffles: list[Groups]
) -> None:
    us, cn = two_nodes(tmp_path)
    case_with_phones(cn, "xingtai", PHONES)
    sid = "cd" * 16
    send_raw(us, cn, "psi-offer", {
        "session": sid, "suite": SUITE, "kinds": KINDS, "by_kind": True, "size": 3,
        "groups": [{"kind": k, "size": 1} for k in KINDS], "expires": "2099-01-01T00:00:00Z",
    })  # fmt: skip
    carrier = Carrier()
    carrier.settle(us, cn)
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai",
                        by_kind=True)  # fmt: skip
    _round(us, cn, sid, "x", _points(3))
    carrier.settle(us, cn)
    [theirs] = sessions(cn)
    assert theirs.state == "joined" and theirs.peer_groups == [["*", 3]]
    assert shuffles == [[("*", 3)]]  # z: shuffled as one, not left in the peer's order


def test_groups_at_the_minimum_keep_counts_by_kind(tmp_path: Path, shuffles: list[Groups]) -> None:
    us, cn, carrier, sid = _started(tmp_path, deconflict_min_group=1)
    singles = [{"kind": k, "size": 1} for k in KINDS]
    send_raw(cn, us, "psi-accept", {"session": sid, "by_kind": True, "size": 3, "groups": singles})
    _round(cn, us, sid, "y", _points(3))
    _round(cn, us, sid, "z", _points(3, "ab"))
    _count(us, cn, carrier)
    [ours] = sessions(us)
    assert ours.state == "counted"
    assert shuffles == [[(k, 1) for k in KINDS]]
    assert ours.kind_counts == dict.fromkeys(KINDS, 0)


@pytest.mark.parametrize(
    "groups",
    [
        [{"kind": f"g{i}", "size": 1} for i in range(3)],  # free text
        [{"kind": "phone", "size": 2}, {"kind": "passport", "size": 1}],  # not offered
        [{"kind": "*", "size": 2}, {"kind": "phone", "size": 1}],  # "*" among kinds
    ],
    ids=["free-text", "not-offered", "star-and-kind"],
)
def test_an_accept_naming_kinds_the_session_does_not_compare_is_refused(
    tmp_path: Path, groups: list[dict[str, Any]]
) -> None:
    us, cn, carrier, sid = _started(tmp_path)
    send_raw(cn, us, "psi-accept", {"session": sid, "by_kind": True, "size": 3, "groups": groups})
    carrier.settle(us, cn)
    [ours] = sessions(us)
    assert (ours.state, ours.code, ours.count) == ("closed", "deconflict.bad_groups", None)
    [theirs] = sessions(cn)  # the peer was told
    assert (theirs.state, theirs.code) == ("closed", "peer:deconflict.bad_groups")


def test_an_offer_naming_kinds_it_does_not_compare_is_refused(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)
    send_raw(us, cn, "psi-offer", {
        "session": "ef" * 16, "suite": SUITE, "kinds": ["phone"], "by_kind": True, "size": 2,
        "groups": [{"kind": "phone", "size": 1}, {"kind": "name", "size": 1}],
        "expires": "2099-01-01T00:00:00Z",
    })  # fmt: skip
    Carrier().settle(us, cn)
    [theirs] = sessions(cn)
    assert (theirs.state, theirs.code) == ("closed", "deconflict.bad_groups")
    assert US == theirs.peer_id
