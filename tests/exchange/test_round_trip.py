"""Two real nodes over HTTP: the Xingtai referral round trip."""

from datetime import timedelta

import pytest

from jointprobe.cases import list_events
from jointprobe.exchange.errors import MarkingForbidden
from jointprobe.exchange.markings import Tlp
from jointprobe.exchange.peers import peer_status
from jointprobe.exchange.tables import InboxEntry, OutboxEntry
from jointprobe.exchange.workflow import (
    ReferralIn,
    SelectorIn,
    acknowledge,
    get_referral,
    list_referrals,
    send_outcome,
    send_referral,
    send_status,
    timeline,
)
from jointprobe.timeutil import utcnow

from .live import Served, analyst, case, keys, make_node, peer, wait_for


@pytest.fixture
def pair(tmp_path):
    us = make_node(tmp_path, "us-hsi-nola", "HSI New Orleans", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS Narcotics Control Bureau", "CN")
    peer(us, cn)
    yield us, cn
    us.close()
    cn.close()


def _refer(us, case_id, **kw):
    data = ReferralIn(
        case_id=case_id,
        to=["cn-mps-nnc"],
        title="Online vendor 'Diana'",
        narrative="Vendor selling fentanyl to US buyers by phone and website.",
        requested_action="Identify the subscriber and the operation.",
        due=utcnow() + timedelta(days=30),
        selectors=[SelectorIn(type="phone", value="+86 170 5555 0100", grading="B2")],
        **kw,
    )
    with us.write_session() as session:
        return send_referral(session, analyst(session), keys(us), data)


def test_referral_ack_status_outcome_round_trip_lands_in_the_originators_case(pair):
    us, cn = pair
    case_id = case(us)
    case(cn, "xingtai-2017")
    with Served(us), Served(cn):
        referral_id = _refer(us, case_id)

        def received():
            with cn.session() as s:
                return list_referrals(s, direction="in")

        assert wait_for(received)[0].id == referral_id
        with cn.write_session() as s:
            user = analyst(s)
            acknowledge(s, user, keys(cn), referral_id, decision="accept", reason="tracing",
                        case_id="xingtai-2017")  # fmt: skip
        with cn.write_session() as s:
            send_status(s, analyst(s), keys(cn), referral_id, state="investigating",
                        note="ring traced to Xingtai")  # fmt: skip
            send_outcome(
                s, analyst(s), keys(cn), referral_id,
                outcomes=[
                    {"type": "arrest", "description": "more than 20 arrests", "date": "2017-12-31"},
                    {"type": "seizure", "description": "11.9 kg fentanyl seized",
                     "details": {"quantity": "11.9", "unit": "kg", "substance": "fentanyl"}},
                ],
            )  # fmt: skip

        def outcome_arrived():
            with us.session() as s:
                kinds = [e.kind for e in timeline(s, referral_id, "cn-mps-nnc")]
                return kinds.count("outcome") == 2 and kinds

        kinds = wait_for(outcome_arrived, timeout=60)
        assert kinds[:3] == ["sent", "ack", "status"]

        # The receiver commits what it applied *before* it answers; the sender
        # marks its outbox rows delivered only after it has read and checked the
        # signed receipt, in a transaction of its own. So "arrived at us" does
        # not yet mean "settled at cn": wait for the receipts to be recorded
        # (a sender that never settles still fails here, with its last error).
        def settled(node, count):
            def check():
                with node.session() as s:
                    status = {p.node_id: p for p in peer_status(s)}
                    mine = next(iter(status.values()))
                    return (mine.queued == 0 and mine.delivered == count) or None

            try:
                return wait_for(check, timeout=60)
            except AssertionError:
                with node.session() as s:
                    raise AssertionError(f"outbox not settled: {peer_status(s)}") from None

        settled(us, 1)
        settled(cn, 3)
        with us.session() as s:
            referral = get_referral(s, referral_id)
            assert referral.state == "investigating"
            assert referral.remote_case_ref == "xingtai-2017"
            events = list_events(s, analyst(s), case_id)
            event_kinds = [e.kind for e in events]
            assert "referral" in event_kinds and "seizure" in event_kinds
            assert "arrest" in event_kinds
            seizure = next(e for e in events if e.kind == "seizure")
            assert (
                seizure.quantity is not None
                and float(seizure.quantity) == 11.9
                and seizure.unit == "kg"
            )
            status = {p.node_id: p for p in peer_status(s)}["cn-mps-nnc"]
            assert status.queued == 0 and status.delivered == 1 and status.failing_since is None
        with cn.session() as s:
            applied = s.query(InboxEntry).filter_by(state="applied").count()
            assert applied == 1
            assert s.query(OutboxEntry).filter_by(state="delivered").count() == 3


def test_referral_above_the_agreement_tlp_is_refused_before_queueing(tmp_path):
    us = make_node(tmp_path, "us-hsi-nola", "HSI", "US")
    cn = make_node(tmp_path, "cn-mps-nnc", "MPS", "CN")
    peer(us, cn, max_tlp="GREEN")
    case_id = case(us)
    with pytest.raises(MarkingForbidden):
        _refer(us, case_id, tlp="AMBER")
    with us.session() as s:
        assert s.query(OutboxEntry).count() == 0
    assert Tlp.GREEN < Tlp.AMBER
