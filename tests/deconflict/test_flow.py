"""Two real nodes deconflict: the count first, the shared selectors only when both owners agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from jointprobe import deconflict
from jointprobe.cases import list_events
from jointprobe.deconflict.errors import NotCaseOwner
from jointprobe.deconflict.tables import DeconflictChunk
from jointprobe.errors import NotFound
from jointprobe.exchange.identity import node_keys
from jointprobe.store.tables import AuditEntry

from .pairs import CN, US, Carrier, add_member, case_with_phones, sessions, two_nodes, user

US_PHONES = ["+86 311 5555 0101", "+86 311 5555 0102", "+1 504 555 0100", "+1 504 555 0101"]
CN_PHONES = ["+86 311 5555 0101", "+86 311 5555 0199", "+1 504 555 0101", "+86 10 5555 0000"]
SHARED = [("phone", "+15045550101"), ("phone", "+8631155550101")]


def _start(us, cn, **kw):
    case_with_phones(us, "diana", US_PHONES)
    case_with_phones(cn, "xingtai", CN_PHONES)
    with us.write_session() as s:
        sid = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN,
                               case_id="diana", **kw).id  # fmt: skip
    return sid


def _join(cn, sid, **kw):
    with cn.write_session() as s:
        deconflict.join(s, user(cn), node_keys(cn), cn.settings, sid, case_id="xingtai", **kw)


def test_both_sides_learn_only_the_count_then_reveal_when_both_owners_agree(tmp_path: Path) -> None:
    _count_then_reveal(*two_nodes(tmp_path))


@pytest.mark.postgres
def test_a_node_on_postgresql_runs_a_session_to_its_reveal(
    tmp_path: Path, pg_database: str
) -> None:
    _count_then_reveal(*two_nodes(tmp_path, us_database=pg_database))


def _count_then_reveal(us, cn) -> None:
    carrier = Carrier()
    sid = _start(us, cn)
    carrier.settle(us, cn)
    [invited] = sessions(cn)
    assert (invited.id, invited.state, invited.peer_size, invited.case_id) == (
        sid,
        "invited",
        4,
        None,
    )
    _join(cn, sid)
    carrier.settle(us, cn)
    for node in (us, cn):
        [row] = sessions(node)
        assert (row.state, row.count, row.shared, row.kind_counts) == ("counted", 2, None, None)
        assert row.scalar is None, "the secret scalar is wiped once counted"
        with node.session() as s:
            names = {c.name for c in s.scalars(select(DeconflictChunk))}
        assert names == {"own"}, "only our own ordered selectors are kept"
    # one owner agreeing reveals nothing
    with us.write_session() as s:
        deconflict.consent(s, user(us), node_keys(us), sid)
    carrier.settle(us, cn)
    assert all(r.shared is None for r in sessions(us) + sessions(cn))
    with cn.write_session() as s:
        deconflict.consent(s, user(cn), node_keys(cn), sid)
    carrier.settle(us, cn)
    for node, case_id in ((us, "diana"), (cn, "xingtai")):
        [row] = sessions(node)
        assert row.state == "revealed"
        assert row.shared is not None and row.revealed_at is not None
        assert sorted(tuple(x) for x in row.shared) == SHARED
        with node.session() as s:
            view = deconflict.view(s, user(node), sid)
            notes = [e for e in list_events(s, user(node), case_id) if e.kind == "note"]
            audit = [a.action for a in s.scalars(select(AuditEntry).where(
                AuditEntry.object_type == "deconfliction"))]  # fmt: skip
        assert [len(x["records"]) for x in view.shared] == [1, 1]
        assert all(r["id"].startswith(case_id) for x in view.shared for r in x["records"])
        [note] = notes
        other = CN if node is us else US
        assert other in note.title and note.details["date"] == row.revealed_at.date().isoformat()
        assert "count" in audit and "revealed" in audit


def test_counts_per_kind_only_when_both_owners_allow(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path, deconflict_min_group=2)  # the cases hold 3 and 2 phones
    carrier = Carrier()
    sid = _start(us, cn, by_kind=True)
    carrier.settle(us, cn)
    _join(cn, sid, by_kind=True)
    carrier.settle(us, cn)
    assert [r.kind_counts for r in sessions(us) + sessions(cn)] == [{"phone": 2}] * 2

    sid2 = None
    with us.write_session() as s:
        sid2 = deconflict.start(s, user(us), node_keys(us), us.settings, peer=CN,
                                case_id="diana", by_kind=True).id  # fmt: skip
    carrier.settle(us, cn)
    _join(cn, sid2, by_kind=False)
    carrier.settle(us, cn)
    for node in (us, cn):
        row = next(r for r in sessions(node) if r.id == sid2)
        assert (row.count, row.kind_counts, row.by_kind_agreed) == (2, None, False)


def test_counts_per_kind_below_the_minimum_group_are_one_count(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)  # JOINTPROBE_DECONFLICT_MIN_GROUP 10: 3 and 2 phones are fewer
    carrier = Carrier()
    sid = _start(us, cn, by_kind=True)
    carrier.settle(us, cn)
    _join(cn, sid, by_kind=True)
    carrier.settle(us, cn)
    for node in (us, cn):
        [row] = sessions(node)
        assert (row.count, row.kind_counts, row.by_kind_agreed) == (2, {"*": 2}, True)


def test_only_case_members_see_a_session_and_only_the_owner_consents(tmp_path: Path) -> None:
    us, cn = two_nodes(tmp_path)
    carrier = Carrier()
    sid = _start(us, cn)
    add_member(us, "bob", "analyst", "diana")
    with us.write_session() as s:
        from jointprobe.accounts import create_user

        create_user(s, "eve", "analyst")
    with cn.write_session() as s:
        from jointprobe.accounts import create_user

        for name, role in (("chem", "chemist"), ("reg", "regulator"), ("liz", "liaison")):
            create_user(s, name, role)
    carrier.settle(us, cn)
    with cn.session() as s:  # an unjoined invitation: need-to-know by role
        for name in ("chem", "reg"):
            with pytest.raises(NotFound):
                deconflict.view(s, user(cn, name), sid)
            assert deconflict.list_sessions(s, user(cn, name)) == []
        assert deconflict.view(s, user(cn, "liz"), sid).state == "invited"
    _join(cn, sid)
    carrier.settle(us, cn)
    with us.write_session() as s:
        with pytest.raises(NotFound):
            deconflict.view(s, user(us, "eve"), sid)
        assert deconflict.list_sessions(s, user(us, "eve")) == []
        assert deconflict.view(s, user(us, "bob"), sid).count == 2
        with pytest.raises(NotCaseOwner):
            deconflict.consent(s, user(us, "bob"), node_keys(us), sid)
