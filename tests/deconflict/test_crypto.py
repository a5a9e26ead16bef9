"""The arithmetic: hashing binds kind and session, blinding commutes, bad encodings are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from jointprobe.deconflict import sodium
from jointprobe.deconflict.crypto import (
    blind_selectors,
    counts_by_kind,
    match_positions,
    order_selectors,
    selector_hash,
    shuffle_points,
    split,
)
from jointprobe.exchange.envelope import KINDS
from jointprobe.exchange.tables import InboxEntry, OutboxEntry

SID, OTHER = "ab" * 16, "cd" * 16


def test_double_blinding_commutes_so_shared_selectors_meet() -> None:
    a, b = sodium.random_scalar(), sodium.random_scalar()
    mine = [("phone", "+8631155550101"), ("email", "x@example.org")]
    theirs = [("phone", "+8631155550101"), ("phone", "+15045550100")]
    xab = sodium.multiply(b, blind_selectors(SID, a, mine))
    yba = sodium.multiply(a, blind_selectors(SID, b, theirs))
    assert match_positions(xab, yba) == [0]


def test_the_kind_and_the_session_are_bound_into_the_point() -> None:
    k = sodium.random_scalar()
    phone = blind_selectors(SID, k, [("phone", "12345")])
    assert phone != blind_selectors(SID, k, [("id:phone", "12345")])
    assert phone != blind_selectors(OTHER, k, [("phone", "12345")])
    assert phone == blind_selectors(SID, k, [("phone", "12345")])


def test_ordering_groups_by_kind_only_when_allowed_and_drops_duplicates() -> None:
    sels = [("phone", "1"), ("email", "a"), ("phone", "2"), ("phone", "1")]
    ordered, groups = order_selectors(sels, by_kind=True)
    assert groups == [("email", 1), ("phone", 2)] and ordered[0] == ("email", "a")
    _, groups = order_selectors(sels, by_kind=False)
    assert groups == [("*", 3)]


def test_shuffling_keeps_each_group_and_counts_per_kind() -> None:
    points = sodium.hash_to_points(bytes(range(64)) * 5)
    shuffled = shuffle_points(points, [("email", 2), ("phone", 3)])
    assert set(split(shuffled)[:2]) == set(split(points)[:2])
    assert counts_by_kind([0, 3, 4], [("email", 2), ("phone", 3)]) == {"email": 1, "phone": 2}


@pytest.mark.parametrize("bad", [b"\xff" * 32, bytes(32), bytes([0xED] + [0xFF] * 30 + [0x7F])])
def test_invalid_encodings_are_refused_by_check_and_by_multiply(bad: bytes) -> None:
    good = sodium.hash_to_points(bytes(range(64)))
    with pytest.raises(sodium.BadPoint) as refused:
        sodium.check_points(good + bad)
    assert refused.value.index == 1
    with pytest.raises(sodium.BadPoint):
        sodium.multiply(sodium.random_scalar(), good + bad)


def test_large_arrays_split_over_threads_give_the_same_points() -> None:
    digests = bytes(range(64)) * (sodium.PARALLEL_FROM + 3)
    points = sodium.hash_to_points(digests)
    assert len(set(split(points))) == 1 and len(points) == 32 * (sodium.PARALLEL_FROM + 3)


def test_every_kind_fits_the_inbox_and_outbox_columns() -> None:
    types = [InboxEntry.__table__.c.kind.type, OutboxEntry.__table__.c.kind.type]
    assert all(isinstance(t, String) and t.length for t in types)
    width = min(t.length for t in types if isinstance(t, String) and t.length)
    assert all(len(kind) <= width for kind in KINDS)


def test_blinding_uses_the_selector_hash_and_shuffles_are_permutations() -> None:
    k = sodium.random_scalar()
    digest = selector_hash(SID, "phone", "1")
    assert blind_selectors(SID, k, [("phone", "1")]) == sodium.multiply(
        k, sodium.hash_to_points(digest)
    )
    items = list(range(1000))
    ordered, _ = order_selectors([("phone", str(i)) for i in items], by_kind=False)
    assert sorted(int(v) for _, v in ordered) == items
    assert [int(v) for _, v in ordered] != items  # 1 in 1000! to fail by chance
