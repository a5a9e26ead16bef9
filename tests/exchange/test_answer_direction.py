"""A peer may answer only referrals we sent it, never its own referral in our records."""

from datetime import UTC, datetime
from pathlib import Path

from tests.exchange.factories import referral_body
from tests.exchange.live import HANDLERS, analyst, case, keys, make_node, peer

from jointprobe.exchange.envelope import seal
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.tables import Referral
from jointprobe.exchange.workflow import acknowledge
from jointprobe.store.tables import CaseEvent


def test_sender_cannot_acknowledge_its_own_referral_on_our_side(tmp_path: Path) -> None:
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case(us, "c1")
    box = {"us-hsi-nola": own_card(us).box_public}
    now = datetime.now(UTC)
    body = referral_body("cn-mps-nnc")
    ref = seal(
        keys(cn), kind="referral", body=body, recipients=box, now=now, seq={"us-hsi-nola": 1}
    )
    assert receive(us, keys(us), ref.to_json(), handlers=HANDLERS)[0].results[0].status == "applied"
    with us.write_session() as session:
        acknowledge(session, analyst(session), keys(us), ref.id, decision="accept", case_id="c1")
    forged = seal(
        keys(cn),
        kind="ack",
        body={"decision": "decline", "reason": "changed our mind for you", "case_ref": None},
        recipients=box,
        now=now,
        seq={"us-hsi-nola": 2},
        conversation_id=ref.id,
        in_reply_to=ref.id,
    )
    assert (
        receive(us, keys(us), forged.to_json(), handlers=HANDLERS)[0].results[0].status
        == "rejected"
    )
    with us.session() as session:
        row = session.get(Referral, (ref.id, "cn-mps-nnc"))
        assert row is not None and row.state == "accepted"
        titles = [e.title for e in session.query(CaseEvent).filter_by(case_id="c1")]
    assert not any("declined" in t for t in titles)


def test_peer_reusing_one_of_our_referral_ids_is_rejected_not_a_500(tmp_path: Path) -> None:
    from datetime import timedelta

    from jointprobe.exchange.workflow import ReferralIn, SelectorIn, send_referral

    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn)
    case(us, "c1")
    with us.write_session() as session:
        phone = SelectorIn(type="phone", value="+86 311 5555 0100")
        due = datetime.now(UTC) + timedelta(days=3)
        ours = ReferralIn(case_id="c1", to=["cn-mps-nnc"], title="t", due=due, selectors=[phone])
        rid = send_referral(session, analyst(session), keys(us), ours)
    box = {"us-hsi-nola": own_card(us).box_public}
    env = seal(keys(cn), kind="referral", body=referral_body("cn-mps-nnc"), recipients=box,
               now=datetime.now(UTC), seq={"us-hsi-nola": 1}, message_id=rid)  # fmt: skip
    answer, _ = receive(us, keys(us), env.to_json(), handlers=HANDLERS)
    assert [r.status for r in answer.results] == ["rejected"]
