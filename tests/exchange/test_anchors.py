"""Audit anchors: a consistent rewrite of the whole chain is caught by an earlier anchor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from jointprobe.audit import GENESIS, entry_hash, record
from jointprobe.audit import verify as verify_chain
from jointprobe.cli.main import app
from jointprobe.errors import InvalidInput
from jointprobe.exchange import anchors
from jointprobe.exchange.errors import BadSignature
from jointprobe.exchange.identity import node_keys, rotate_keys
from jointprobe.exchange.keys import NodeKeys
from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry, AuditHead


def _rewrite_whole_chain(node: Node, actor: str) -> None:
    """What an insider with write access could do: new content, every hash and the head redone."""
    with node.session() as session:
        prev = GENESIS
        for row in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            row.actor = actor
            row.prev_hash = prev
            row.hash = entry_hash(prev, row.id, row.at, row.actor, row.action,
                                  row.object_type, row.object_id, row.detail)  # fmt: skip
            prev = row.hash
        head = session.scalar(select(AuditHead))
        assert head is not None
        head.last_hash = prev


def test_an_anchor_catches_a_rewrite_the_chain_alone_cannot(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        for n in range(3):
            record(session, "alice", "read", "case", f"c{n}")
        signed = anchors.make_anchor(session, node_keys(sqlite_node))
        record(session, "alice", "read", "case", "later")
    keys = [node_keys(sqlite_node).sign_public]
    again = anchors.parse_anchor(signed.to_json())
    assert again == signed and again.last_id >= 3
    with sqlite_node.session() as session:
        assert anchors.anchor_problem(session, sqlite_node.identity.id, keys, again) is None
    _rewrite_whole_chain(sqlite_node, "mallory")
    with sqlite_node.session() as session:
        assert verify_chain(session).ok  # the chain on its own is fooled …
        problem = anchors.anchor_problem(session, sqlite_node.identity.id, keys, again)
    assert problem is not None and "chain rewritten" in problem  # … the anchor is not


def test_a_chain_cut_below_the_anchor_is_reported(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        record(session, "alice", "read", "case", "c1")
        record(session, "alice", "read", "case", "c2")
        signed = anchors.make_anchor(session, node_keys(sqlite_node))
        session.delete(session.get(AuditEntry, signed.last_id))
    with sqlite_node.session() as session:
        assert anchors.chain_problem(session, signed) == (
            f"entry {signed.last_id} anchored at {signed.at} is missing"
        )


def test_forged_or_foreign_anchors_are_refused(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        record(session, "alice", "read", "case", "c1")
        signed = anchors.make_anchor(session, node_keys(sqlite_node))
    own = [node_keys(sqlite_node).sign_public]
    node_id = sqlite_node.identity.id
    body = json.loads(signed.to_json())
    body["anchor"]["last_id"] = 0
    with pytest.raises(BadSignature, match="does not verify"):
        anchors.check_signature(anchors.parse_anchor(json.dumps(body)), node_id, own)
    stranger = NodeKeys.generate(node_id)
    with sqlite_node.session() as session:
        forged = anchors.make_anchor(session, stranger)
    with pytest.raises(BadSignature, match="does not know"):
        anchors.check_signature(forged, node_id, own)
    with pytest.raises(BadSignature, match="not 'cn-other'"):
        anchors.check_signature(signed, "cn-other", own)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "malformed"),
        ('{"anchor": {}, "signature": ""}', "not a jp/1 audit anchor"),
        ("x" * 5000, "at most"),
        ("[]", "malformed"),
    ],
)
def test_malformed_anchor_documents_are_clear_errors(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        anchors.parse_anchor(text)


def test_bad_fields_in_an_otherwise_valid_anchor(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        signed = anchors.make_anchor(session, node_keys(sqlite_node))
    for field, value, reason in (
        ("last_id", True, "whole number"),
        ("last_id", -1, "whole number"),
        ("hash", "XYZ", "64 hex"),
        ("sign_public", "not base64!", "base64url"),
    ):
        body = json.loads(signed.to_json())
        body["anchor"][field] = value
        with pytest.raises(InvalidInput, match=reason):
            anchors.parse_anchor(json.dumps(body))


runner = CliRunner()


def jp(data_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--data-dir", str(data_dir), *args])
    return result.exit_code, result.output


def test_anchor_verify_and_a_partner_checks_the_signature(tmp_path: Path) -> None:
    us, cn = tmp_path / "us", tmp_path / "cn"
    jp(us, "init", "--node-id", "us-hsi", "--name", "HSI", "--country", "US")
    jp(cn, "init", "--node-id", "cn-mps", "--name", "MPS", "--country", "CN")
    jp(us, "user", "add", "alice", "--role", "analyst")
    code, out = jp(us, "audit", "anchor", "--out", str(tmp_path / "for-cn.jsonl"))
    assert code == 0, out
    assert json.loads(out.splitlines()[0])["anchor"]["node_id"] == "us-hsi"
    code, out = jp(us, "audit", "verify")
    assert code == 0 and "consistent with 1 anchors" in out, out
    # the Chinese node pins the US card, then checks what it was handed
    jp(us, "peer", "card", "--out", str(tmp_path / "us.card"))
    code, out = jp(cn, "peer", "card", "--out", str(tmp_path / "cn.card"))
    card = json.loads((tmp_path / "us.card").read_text())
    from jointprobe.exchange.card import NodeCard

    fingerprint = NodeCard.from_dict(card).fingerprint
    code, out = jp(cn, "peer", "add", str(tmp_path / "us.card"), "--fingerprint", fingerprint)
    assert code == 0, out
    code, out = jp(cn, "audit", "check-anchor", str(tmp_path / "for-cn.jsonl"), "--peer", "us-hsi")
    assert code == 0 and "signed" in out, out
    forged = tmp_path / "forged.jsonl"
    line = json.loads((tmp_path / "for-cn.jsonl").read_text())
    line["anchor"]["hash"] = "0" * 64
    forged.write_text(json.dumps(line) + "\n" + "garbage\n")
    code, out = jp(cn, "audit", "check-anchor", str(forged), "--peer", "us-hsi")
    flat = out.replace("\n", "")
    assert code == 9 and "does not verify" in flat and ":2: malformed" in flat, out


def test_verify_fails_when_the_chain_was_rewritten_after_an_anchor(tmp_path: Path) -> None:
    d = tmp_path / "n"
    jp(d, "init", "--node-id", "us-n1", "--name", "N", "--country", "US")
    jp(d, "user", "add", "alice", "--role", "analyst")
    assert jp(d, "audit", "anchor")[0] == 0
    from jointprobe.config import Settings
    from jointprobe.node import open_node

    node = open_node(Settings(data_dir=d))
    try:
        _rewrite_whole_chain(node, "mallory")
    finally:
        node.close()
    code, out = jp(d, "audit", "verify")
    assert code == 9 and "chain rewritten" in out.replace("\n", ""), out


def test_anchors_stay_checkable_after_key_rotations(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        record(session, "alice", "read", "case", "c1")
        before = anchors.make_anchor(session, node_keys(sqlite_node))
    rotate_keys(sqlite_node)
    rotate_keys(sqlite_node)  # node.key.old now holds the second key, not the first
    (sqlite_node.settings.data_dir / "node.key.old").unlink()  # as the docs allow
    keys = anchors.own_sign_keys(sqlite_node)
    assert before.sign_public in keys and node_keys(sqlite_node).sign_public in keys
    with sqlite_node.session() as session:
        assert anchors.anchor_problem(session, sqlite_node.identity.id, keys, before) is None


def test_an_out_of_range_entry_id_is_a_refused_line_not_a_crash(sqlite_node: Node) -> None:
    with sqlite_node.session() as session:
        signed = anchors.make_anchor(session, node_keys(sqlite_node))
    body = json.loads(signed.to_json())
    body["anchor"]["last_id"] = 2**64
    with pytest.raises(InvalidInput, match="below 2"):
        anchors.parse_anchor(json.dumps(body))
