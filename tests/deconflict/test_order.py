"""Rounds that arrive before our own step ran (review L5): an owed step is never lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from jointprobe import deconflict
from jointprobe.deconflict import worker
from jointprobe.deconflict.crypto import hash_selectors
from jointprobe.deconflict.worker import run_pending, run_step
from jointprobe.exchange.identity import node_keys
from jointprobe.exchange.tables import OutboxEntry
from jointprobe.exchange.wire import b64e
from jointprobe.node import Node

from .pairs import CN, Carrier, case_with_phones, opened, send_raw, sessions, two_nodes, user

PHONES = ["+86 311 5555 0101", "+1 504 555 0101", "+1 504 555 0102"]


def _rounds_sent(us: Node, cn: Node) -> list[str]:
    with us.session() as s:
        texts = s.scalars(
            select(OutboxEntry.envelope).where(OutboxEntry.kind == "psi-points")
        ).all()
    return [str(opened(cn, text)["round"]) for text in texts]


def test_y_and_z_before_our_x_is_blinded_do_not_lose_x(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    us, cn = two_nodes(tmp_path)
    case_with_phones(us, "diana", PHONES)
    with us.write_session() as s:
        sid = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN,
                               case_id="diana").id  # fmt: skip
    _offer_only(
        us, sid, monkeypatch
    )  # x is owed: the worker offered the set but has not blinded it
    points = hash_selectors("ef" * 16, [("phone", str(i)) for i in range(3)])
    send_raw(cn, us, "psi-accept", {"session": sid, "size": 2,
                                    "groups": [{"kind": "*", "size": 2}]})  # fmt: skip
    for name, data in (("y", points[:64]), ("z", points)):
        body = {"session": sid, "round": name, "chunk": 0, "chunks": 1, "points": b64e(data)}
        send_raw(cn, us, "psi-points", body)
    Carrier().carry(cn, us)  # y and z are all here while x is still owed
    [row] = sessions(us)
    assert row.work == "x"  # not overwritten by the count (or ya)
    while run_pending(us):
        pass
    [row] = sessions(us)
    assert row.state == "counted"
    assert _rounds_sent(us, cn) == ["x", "w"]  # x went out before w


class _Stopped(Exception):
    pass


def _offer_only(us: Node, sid: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the worker's ``prepare`` step (the offer goes out) and stop before x is blinded."""

    def stop(*args: Any) -> bytes:
        raise _Stopped

    with monkeypatch.context() as patch:
        patch.setattr(worker, "blind_selectors", stop)
        with pytest.raises(_Stopped):
            run_step(us, sid)
