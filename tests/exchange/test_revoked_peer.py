"""An envelope signed by a key the operator revoked is refused as such, and nothing is stored."""

from datetime import UTC, datetime
from pathlib import Path

from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, keys, make_node, peer

from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import RevokedKey
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.peers import revoke_peer
from jointprobe.exchange.tables import InboxEntry


def test_envelope_from_a_revoked_current_key_is_refused_and_not_stored(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    with us.write_session() as session:
        revoke_peer(session, "cn-mps-nnc")
    envelope = seal(
        keys(cn),
        kind="referral",
        body=referral_body("cn-mps-nnc"),
        recipients={"us-hsi-nola": own_card(us).box_public},
        now=datetime.now(UTC),
        seq={"us-hsi-nola": 1},
    )
    answer, _ = receive(us, keys(us), envelope.to_json(), handlers=HANDLERS)
    assert [(r.status, r.code) for r in answer.results] == [("invalid", RevokedKey.code)]
    assert answer.receipt is None
    with us.session() as session:
        assert session.query(InboxEntry).count() == 0
