"""After this node rotates its keys, envelopes a peer still seals to the old key are opened."""

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, Served, keys, make_node, peer, wait_for
from tests.exchange.procs import JOINTPROBE, Process

from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import old_key_path, own_card, previous_keys, rotate_own_keys
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.outbox import deliver_outbox, enqueue
from jointprobe.exchange.peers import apply_card_update
from jointprobe.exchange.tables import InboxEntry, OutboxEntry

pytestmark = pytest.mark.live


def test_a_peer_not_yet_updated_still_reaches_a_rotated_node_while_the_old_key_is_kept(
    tmp_path: Path,
) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        old_box = own_card(us).box_public  # what cn holds until it applies the card update
        rotation = rotate_own_keys(us)
        assert rotation.new_fingerprint == keys(us).fingerprint != rotation.old_fingerprint
        assert previous_keys(us) is not None
        assert previous_keys(us).fingerprint == rotation.old_fingerprint  # type: ignore[union-attr]

        receipts: list[str] = []

        def send(seq: int) -> str:
            env = seal(keys(cn), kind="referral", body=referral_body("cn-mps-nnc"),
                       recipients={"us-hsi-nola": old_box}, now=datetime.now(UTC),
                       seq={"us-hsi-nola": seq})  # fmt: skip
            answer = receive(us, keys(us), env.to_json(), handlers=HANDLERS)[0]
            for receipt in (answer.receipt, answer.receipt_previous):
                if receipt is not None:
                    receipts.append(receipt.key_id)
            return answer.results[0].status

        assert send(1) == "applied"
        # signed with both keys: cn verifies the old one until it applies the update
        assert receipts == [rotation.new_fingerprint, rotation.old_fingerprint]
        old_key_path(us.settings).unlink()  # the operator deletes it once every peer rotated
        assert previous_keys(us) is None
        # not recorded: the slot stays open, the sender sends it again (and parks it in the end)
        assert send(2) == "invalid"
        with us.session() as session:
            assert session.query(InboxEntry).filter_by(seq=2).count() == 0
    finally:
        us.close()
        cn.close()


def test_keys_rotated_while_the_node_serves_open_what_peers_seal_to_the_new_key(
    tmp_path: Path,
) -> None:
    """The operator rotates with the CLI while ``serve`` runs (another process)."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    served = Process(us).start()
    try:
        update = tmp_path / "update.json"
        subprocess.run(
            [JOINTPROBE, "--data-dir", str(us.settings.data_dir), "peer", "rotate-keys", "--yes",
             "--out", str(update)],
            check=True, capture_output=True, env={**os.environ, "JOINTPROBE_ENDPOINT": served.url},
        )  # fmt: skip

        with cn.write_session() as session:
            apply_card_update(session, json.loads(update.read_text()))
            body = referral_body("cn-mps-nnc")
            enqueue(session, keys(cn), kind="referral", body=body, to=["us-hsi-nola"])
        with httpx.Client(timeout=10) as client:
            deliver_outbox(cn, keys(cn), client=client)

        def applied() -> list[str]:
            with us.session() as s:
                return [r.state for r in s.query(InboxEntry)]

        assert wait_for(applied) == ["applied"]
    finally:
        served.stop()
        us.close()
        cn.close()


def test_a_message_sealed_before_the_peer_rotated_is_delivered_after_we_applied_its_update(
    tmp_path: Path,
) -> None:
    """The peer answers with receipts signed by both its keys; we verify the one we trust."""
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    try:
        peer(us, cn)
        with us.write_session() as session:  # sealed to cn's key of now
            enqueue(session, keys(us), kind="referral", body=referral_body(), to=["cn-mps-nnc"])
        rotation = rotate_own_keys(cn)
        with us.write_session() as session:
            apply_card_update(session, rotation.update)
        with Served(cn), httpx.Client(timeout=10) as client:
            reports = deliver_outbox(us, keys(us), client=client)
        assert all(r.error is None for r in reports)
        with us.session() as session:
            assert [r.state for r in session.query(OutboxEntry)] == ["delivered"]
        with cn.session() as session:
            assert [r.state for r in session.query(InboxEntry)] == ["applied"]
    finally:
        us.close()
        cn.close()
