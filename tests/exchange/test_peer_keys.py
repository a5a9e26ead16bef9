"""A peer's key history: its anchors signed before a rotation still verify, nothing else does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.exchange.factories import marking, referral_body
from tests.exchange.live import HANDLERS, keys, make_node, peer
from typer.testing import CliRunner

from jointprobe.audit import record
from jointprobe.cli.main import app
from jointprobe.exchange import anchors
from jointprobe.exchange.card import CardUpdate, NodeCard
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import BadSignature, CardError, RevokedKey
from jointprobe.exchange.identity import own_card, rotate_own_keys
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.peerkeys import HistoricKey, key_history
from jointprobe.exchange.peers import apply_card_update, card_of, get_peer, revoke_peer
from jointprobe.exchange.tables import InboxEntry
from jointprobe.exchange.wire import canonical
from jointprobe.node import Node

runner = CliRunner()


@pytest.fixture
def nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """A US and a Chinese node that have pinned each other's cards."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def _flat(text: str) -> str:
    return " ".join(text.split())


def _fingerprint(card_file: Path) -> str:
    return NodeCard.from_dict(json.loads(card_file.read_text())).fingerprint


def test_an_anchor_signed_before_a_rotation_verifies_at_the_partner_after_the_update(
    tmp_path: Path,
) -> None:
    us, cn = tmp_path / "us", tmp_path / "cn"
    assert jp(us, "init", "--node-id", "us-hsi", "--name", "HSI", "--country", "US")[0] == 0
    assert jp(cn, "init", "--node-id", "cn-mps", "--name", "MPS", "--country", "CN")[0] == 0
    jp(us, "user", "add", "alice", "--role", "analyst")
    jp(us, "peer", "card", "--out", str(tmp_path / "us.card"))
    old_fingerprint = _fingerprint(tmp_path / "us.card")
    code, out = jp(cn, "peer", "add", str(tmp_path / "us.card"), "--fingerprint", old_fingerprint)
    assert code == 0, out
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    assert jp(us, "audit", "anchor", "--out", str(before))[0] == 0
    update = tmp_path / "update.json"
    code, out = jp(us, "peer", "rotate-keys", "--yes", "--out", str(update))
    assert code == 0, out
    new_fingerprint = NodeCard.from_dict(json.loads(update.read_text())["card"]).fingerprint
    assert jp(us, "audit", "anchor", "--out", str(after))[0] == 0

    # before the card update, the new key was never in the history cn keeps for us-hsi
    code, out = jp(cn, "audit", "check-anchor", str(after), "--peer", "us-hsi")
    assert code == 9 and "never in the key history of us-hsi" in _flat(out), out
    code, out = jp(cn, "audit", "check-anchor", str(before), "--peer", "us-hsi")
    assert code == 0 and f"signed with the current key ({old_fingerprint})" in _flat(out), out

    code, out = jp(cn, "peer", "update", str(update))
    assert code == 0, out
    code, out = jp(cn, "audit", "check-anchor", str(before), "--peer", "us-hsi")
    flat = _flat(out)
    assert code == 0 and f"signed with the previous key ({old_fingerprint}" in flat, out
    assert "superseded" in flat
    code, out = jp(cn, "audit", "check-anchor", str(after), "--peer", "us-hsi")
    assert code == 0 and f"signed with the current key ({new_fingerprint})" in _flat(out), out
    # a stranger's signature under the old key's name is refused, saying why
    stranger = NodeKeys.generate("us-hsi")
    old = anchors.parse_anchor(before.read_text())
    forged = tmp_path / "forged.jsonl"
    forged.write_text(_resigned(old, stranger, claimed=old.sign_public).to_json() + "\n")
    code, out = jp(cn, "audit", "check-anchor", str(forged), "--peer", "us-hsi")
    flat = _flat(out)
    assert code == 9 and "refused" in flat and "does not verify with the previous key" in flat
    assert "forged or altered" in flat, out
    # and us-hsi's own verify still takes both
    code, out = jp(us, "audit", "verify", "--anchors", str(before), "--anchors", str(after))
    assert code == 0 and "consistent with 2 anchors" in out, out


def _resigned(anchor: anchors.Anchor, signer: NodeKeys, *, claimed: bytes) -> anchors.Anchor:
    """``anchor`` signed by ``signer`` while naming ``claimed`` as its key."""
    fields = {**anchors._fields(anchor), "sign_public": claimed, "signature": b""}
    body = anchors.Anchor(**fields).body()
    signature = signer.signing.sign(anchors.DOMAIN + canonical(body)).signature
    return anchors.Anchor(**{**fields, "signature": signature})


def test_forged_anchors_and_keys_outside_the_history_are_refused(nodes: tuple[Node, Node]) -> None:
    us, cn = nodes
    with us.write_session() as session:
        record(session, "analyst", "read", "case", "c1")
        old_anchor = anchors.make_anchor(session, keys(us))
    rotation = rotate_own_keys(us)
    with cn.write_session() as session:
        apply_card_update(session, rotation.update)
    stranger = NodeKeys.generate("us-hsi-nola")
    with cn.session() as session:
        card = card_of(get_peer(session, "us-hsi-nola").card)
        history = anchors.peer_sign_keys(session, "us-hsi-nola", card)
        forged_anchor = anchors.make_anchor(session, stranger)
    current = card.sign_public

    found = anchors.check_peer_anchor(old_anchor, "us-hsi-nola", history, current)
    assert not found.current and found.fingerprint == rotation.old_fingerprint

    # an unrelated key that names itself: never pinned for us-hsi-nola
    refused = _refusal(forged_anchor, history, current)
    assert "never in the key history of us-hsi-nola" in refused
    # an unrelated key that names the old key: the signature gives it away
    forged = _resigned(old_anchor, stranger, claimed=old_anchor.sign_public)
    refused = _refusal(forged, history, current)
    assert "does not verify with the previous key" in refused and "forged" in refused
    assert rotation.old_fingerprint in refused
    # an altered anchor under the current key fails the same way
    altered = _resigned(old_anchor, keys(us), claimed=current)
    altered = anchors.Anchor(**{**anchors._fields(altered), "last_id": 0})
    assert "does not verify with the current key" in _refusal(altered, history, current)


def _refusal(anchor: anchors.Anchor, history: dict[bytes, HistoricKey], current: bytes) -> str:
    try:
        anchors.check_peer_anchor(anchor, "us-hsi-nola", history, current)
    except BadSignature as exc:
        return exc.message
    raise AssertionError("the anchor was accepted")


def test_an_envelope_signed_with_a_superseded_key_is_still_refused(
    nodes: tuple[Node, Node],
) -> None:
    us, cn = nodes
    old_keys = keys(us)
    rotation = rotate_own_keys(us)
    with cn.write_session() as session:
        apply_card_update(session, rotation.update)
    with cn.session() as session:
        history = key_history(session, "us-hsi-nola")
    assert [(k.fingerprint, k.current) for k in history] == [
        (rotation.old_fingerprint, False),
        (rotation.new_fingerprint, True),
    ]
    assert history[0].sign_public == old_keys.sign_public
    assert history[0].superseded_at == history[1].accepted_at

    def send(signer: NodeKeys, seq: int) -> tuple[str, str | None]:
        envelope = seal(signer, kind="referral", body=referral_body("us-hsi-nola"),
                        recipients={"cn-mps-nnc": own_card(cn).box_public},
                        now=datetime.now(UTC), seq={"cn-mps-nnc": seq})  # fmt: skip
        result = receive(cn, keys(cn), envelope.to_json(), handlers=HANDLERS)[0].results[0]
        return result.status, result.code

    # the old key is in the history, but only anchors are checked against it
    assert send(old_keys, 1) == ("invalid", RevokedKey.code)
    with cn.session() as session:
        assert session.query(InboxEntry).count() == 0
    assert send(keys(us), 1)[0] == "applied"
    # nor can the superseded key sign a further card update
    newer = NodeKeys.generate("us-hsi-nola")
    update = CardUpdate.create(old_keys, own_card(us, newer)).to_dict()
    with pytest.raises(CardError, match="does not follow the trusted card"):
        with cn.write_session() as session:
            apply_card_update(session, update)


def test_a_card_update_received_as_a_notice_also_keeps_the_old_key(
    nodes: tuple[Node, Node],
) -> None:
    us, cn = nodes
    old_keys = keys(us)
    with us.write_session() as session:
        old_anchor = anchors.make_anchor(session, old_keys)
    rotation = rotate_own_keys(us)
    body = {"topic": "card-update", "text": "new keys", "card_update": rotation.update,
            "marking": marking("GREEN", "us-hsi-nola").to_dict()}  # fmt: skip
    envelope = seal(old_keys, kind="notice", body=body, now=datetime.now(UTC),
                    recipients={"cn-mps-nnc": own_card(cn).box_public},
                    seq={"cn-mps-nnc": 1})  # fmt: skip
    answer = receive(cn, keys(cn), envelope.to_json(), handlers=HANDLERS)[0]
    assert [r.status for r in answer.results] == ["applied"]
    with cn.session() as session:
        card = card_of(get_peer(session, "us-hsi-nola").card)
        assert card.fingerprint == rotation.new_fingerprint
        history = anchors.peer_sign_keys(session, "us-hsi-nola", card)
    key = anchors.check_peer_anchor(old_anchor, "us-hsi-nola", history, card.sign_public)
    assert key.fingerprint == rotation.old_fingerprint and not key.current
    assert key.source == "pinned" and key.superseded_at is not None


def test_a_card_update_that_keeps_the_keys_revokes_nothing(nodes: tuple[Node, Node]) -> None:
    us, cn = nodes
    same = keys(us)
    moved = NodeCard.create(same, name="HSI", country="US", endpoint="https://hsi.example/jp")
    with cn.write_session() as session:
        apply_card_update(session, CardUpdate.create(same, moved).to_dict())
    with cn.session() as session:
        updated = get_peer(session, "us-hsi-nola")
        assert updated.endpoint == "https://hsi.example/jp"
        assert updated.fingerprint not in updated.revoked
    envelope = seal(same, kind="referral", body=referral_body("us-hsi-nola"),
                    recipients={"cn-mps-nnc": own_card(cn).box_public},
                    now=datetime.now(UTC), seq={"cn-mps-nnc": 1})  # fmt: skip
    assert (
        receive(cn, keys(cn), envelope.to_json(), handlers=HANDLERS)[0].results[0].status
        == "applied"
    )


def test_a_leaked_old_key_cannot_vouch_for_later_heads_nor_a_revoked_one_at_all(
    nodes: tuple[Node, Node],
) -> None:
    us, cn = nodes
    old_keys = keys(us)
    with us.write_session() as session:
        old_anchor = anchors.make_anchor(session, old_keys)
    rotation = rotate_own_keys(us)
    with cn.write_session() as session:
        apply_card_update(session, rotation.update)
    with cn.session() as session:
        pinned = get_peer(session, "us-hsi-nola")
        card, revoked = card_of(pinned.card), list(pinned.revoked)
        history = anchors.peer_sign_keys(session, "us-hsi-nola", card)
    current = card.sign_public
    check = anchors.check_peer_anchor
    assert check(old_anchor, "us-hsi-nola", history, current, revoked).fingerprint == (
        rotation.old_fingerprint
    )
    # the old key signs a head dated long after it was replaced here
    later = {**anchors._fields(old_anchor), "at": "2099-01-01T00:00:00.000000Z"}
    future = _resigned(anchors.Anchor(**later), old_keys, claimed=old_keys.sign_public)
    with pytest.raises(BadSignature, match="after the previous key .* was replaced here"):
        check(future, "us-hsi-nola", history, current, revoked)
    # the current key, once revoked (no card update replaced it), vouches for nothing
    with us.write_session() as session:
        new_anchor = anchors.make_anchor(session, keys(us))
    assert check(new_anchor, "us-hsi-nola", history, current, revoked)
    with cn.write_session() as session:
        revoke_peer(session, "us-hsi-nola")
        revoked = list(get_peer(session, "us-hsi-nola").revoked)
    with pytest.raises(BadSignature, match="revoked key"):
        check(new_anchor, "us-hsi-nola", history, current, revoked)
