import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from jointprobe.accounts import create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.entities import add_entity
from jointprobe.errors import Conflict, InvalidInput, NotFound
from jointprobe.node import Node
from jointprobe.resolve import judgements as j
from jointprobe.store.tables import AuditEntry, User


def _u(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.username == name))
    assert user is not None
    return user


def test_confirmations_merge_into_one_lasting_canonical_id(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        canon = j.decide(session, _u(session, "alice"), "a", "b", "positive")
        assert canon.startswith("canon-")
        assert j.decide(session, _u(session, "bob"), "b", "c", "positive") == canon
        assert j.resolver(session).members("c") >= {"a", "b", "c", canon}
        session.commit()
    with ofac_node.session() as session:
        history = j.history(session, "b", "c")
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "judge")).all()
    assert [(what, who) for what, who, _when in history] == [("positive", "bob")]
    assert [(a.actor, a.object_id) for a in audited] == [("alice", "a~b"), ("bob", "b~c")]


def test_a_rejected_pair_cannot_be_merged_through_a_third_record(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice, bob = _u(session, "alice"), _u(session, "bob")
        j.decide(session, alice, "a", "b", "negative")
        j.decide(session, alice, "b", "c", "positive")
        with pytest.raises(Conflict, match="judged different"):
            j.decide(session, bob, "a", "c", "positive")
        with pytest.raises(Conflict, match="already merged"):
            j.decide(session, bob, "c", "b", "negative")


def test_candidates_wait_until_judged(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice = _u(session, "alice")
        added = j.record_candidates(session, [("x", "y", 0.97), ("y", "z", 0.91)], source="t")
        assert added == 2
        assert j.record_candidates(session, [("y", "x", 0.99)], source="t") == 0
        j.decide(session, alice, "x", "y", "negative")
        assert [(c.left_id, c.right_id) for c in j.pending(session, alice)] == [("y", "z")]


def test_bad_judgements_are_refused(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice = _u(session, "alice")
        with pytest.raises(InvalidInput, match="one of"):
            j.decide(session, alice, "a", "b", "maybe")
        with pytest.raises(InvalidInput, match="itself"):
            j.decide(session, alice, "a", "a", "positive")


def test_pairs_touching_a_case_the_analyst_cannot_see_stay_hidden(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice, bob = _u(session, "alice"), _u(session, "bob")
        boss = create_user(session, "boss", "supervisor")
        create_case(session, bob, CaseIn(id="bob-case", title="Bob's case", tlp="RED"))
        secret = {"id": "bob-source", "schema": "Person", "properties": {"name": ["Source X"]}}
        add_entity(session, bob, secret, case_id="bob-case", tlp="RED")
        j.record_candidates(
            session, [("bob-source", "row-1", 0.99), ("row-2", "row-3", 0.9)], source="t"
        )
        assert [c.left_id for c in j.pending(session, alice)] == ["row-2"]
        assert [c.left_id for c in j.pending(session, bob)] == ["bob-source", "row-2"]
        assert len(j.pending(session, boss)) == 2
        with pytest.raises(NotFound, match="bob-source"):
            j.decide(session, alice, "row-1", "bob-source", "positive")
        assert [what for what, _who, _when in j.history(session, "row-1", "bob-source")] == [
            "candidate"
        ]
        assert j.decide(session, bob, "row-1", "bob-source", "positive").startswith("canon-")
        j.decide(session, bob, "bob-source", "row-2", "negative")
        with pytest.raises(Conflict) as refused:
            j.decide(session, alice, "row-1", "row-2", "positive")
        assert "bob-source" not in refused.value.message
        assert "an entity you may not see and row-2 were judged different" in refused.value.message


def test_a_cluster_of_only_hidden_entities_cannot_be_judged_against(ofac_node: Node) -> None:
    with ofac_node.session() as session:
        alice, bob = _u(session, "alice"), _u(session, "bob")
        create_case(session, bob, CaseIn(id="bob-case", title="Bob's case", tlp="RED"))
        for eid in ("bob-1", "bob-2"):
            data = {"id": eid, "schema": "Person", "properties": {"name": ["Source Y"]}}
            add_entity(session, bob, data, case_id="bob-case", tlp="RED")
        hidden_canon = j.decide(session, bob, "bob-1", "bob-2", "positive")
        for judgement in ("positive", "negative", "unsure"):
            with pytest.raises(NotFound, match=hidden_canon):
                j.decide(session, alice, "row-9", hidden_canon, judgement)
        assert j.resolver(session).members("row-9") == {"row-9"}
        # once the cluster holds a record Alice may see, its id is open to her
        j.decide(session, bob, "bob-1", "row-8", "positive")
        assert j.decide(session, alice, "row-9", hidden_canon, "positive") == hidden_canon
