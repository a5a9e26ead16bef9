import pytest

from jointprobe.errors import Conflict, InvalidInput
from jointprobe.node import Node
from jointprobe.resolve import judgements as j


def test_confirmations_merge_into_one_lasting_canonical_id(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        canon = j.decide(session, "alice", "a", "b", "positive")
        assert canon.startswith("canon-")
        assert j.decide(session, "bob", "b", "c", "positive") == canon
        assert j.resolver(session).members("c") >= {"a", "b", "c", canon}
        session.commit()
    with ofac_node.session() as session:
        history = j.history(session, "b", "c")
    assert [(what, who) for what, who, _when in history] == [("positive", "bob")]


def test_a_rejected_pair_cannot_be_merged_through_a_third_record(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        j.decide(session, "alice", "a", "b", "negative")
        j.decide(session, "alice", "b", "c", "positive")
        with pytest.raises(Conflict, match="judged different"):
            j.decide(session, "bob", "a", "c", "positive")
        with pytest.raises(Conflict, match="already merged"):
            j.decide(session, "bob", "c", "b", "negative")


def test_candidates_wait_until_judged(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        added = j.record_candidates(session, [("x", "y", 0.97), ("y", "z", 0.91)], source="t")
        assert added == 2
        assert j.record_candidates(session, [("y", "x", 0.99)], source="t") == 0
        j.decide(session, "alice", "x", "y", "negative")
        assert [(c.left_id, c.right_id) for c in j.pending(session)] == [("y", "z")]


def test_bad_judgements_are_refused(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        with pytest.raises(InvalidInput, match="one of"):
            j.decide(session, "alice", "a", "b", "maybe")
        with pytest.raises(InvalidInput, match="itself"):
            j.decide(session, "alice", "a", "a", "positive")
