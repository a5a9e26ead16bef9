"""The arithmetic: hashing onto the curve (RFC 9380), blinding commutes, bad points refused."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from jointprobe.deconflict import curve, sodium
from jointprobe.deconflict.crypto import (
    blind_points,
    blind_selectors,
    check_points,
    counts_by_kind,
    hash_selectors,
    match_positions,
    order_selectors,
    selector_message,
    shuffle_points,
    split,
)
from jointprobe.exchange.envelope import KINDS
from jointprobe.exchange.tables import InboxEntry, OutboxEntry

SID, OTHER = "ab" * 16, "cd" * 16
#: RFC 9380 appendix J.7.2 (curve25519_XMD:SHA-512_ELL2_NU_): msg, u[0], Q.x (before 8·Q)
VECTORS = [
    (b"", "608d892b641f0328523802a6603427c26e55e6f27e71a91a478148d45b5093cd",
     "51125222da5e763d97f3c10fcc92ea6860b9ccbbd2eb1285728f566721c1e65b"),
    (b"abc", "46f5b22494bfeaa7f232cc8d054be68561af50230234d7d1d63d1d9abeca8da5",
     "7d56d1e08cb0ccb92baf069c18c49bb5a0dcd927eff8dcf75ca921ef7f3e6eeb"),
    (b"abcdef0123456789", "235fe40c443766ce7e18111c33862d66c3b33267efa50d50f9e8e5d252a40aaa",
     "3fbe66b9c9883d79e8407150e7c2a1c8680bee496c62fabe4619a72b3cabe90f"),
]  # fmt: skip
TWIST = (2).to_bytes(32, "little")


@pytest.mark.parametrize(("msg", "u", "qx"), VECTORS)
def test_hash_to_field_and_elligator2_follow_the_rfc_9380_vectors(
    msg: bytes, u: str, qx: str
) -> None:
    suite = curve.Suite(b"QUUX-V01-CS02-with-curve25519_XMD:SHA-512_ELL2_NU_")
    field = suite.field_element(msg)
    assert int(field) == int(u, 16)
    assert int(curve.elligator2(field)) == int(qx, 16)
    assert curve.encode(suite, [msg]) == int(qx, 16).to_bytes(32, "little")


def test_hashed_points_lie_on_the_curve_never_on_the_twist() -> None:
    points = hash_selectors(SID, [("phone", str(i)) for i in range(2000)])
    check_points(points)  # about half of random u-coordinates would be on the twist
    assert len(set(split(points))) == 2000


def test_double_blinding_commutes_so_shared_selectors_meet() -> None:
    a, b = sodium.random_scalar(), sodium.random_scalar()
    mine = [("phone", "+8631155550101"), ("email", "x@example.org")]
    theirs = [("phone", "+8631155550101"), ("phone", "+15045550100")]
    xab = blind_points(b, blind_selectors(SID, a, mine))
    yba = blind_points(a, blind_selectors(SID, b, theirs))
    assert match_positions(xab, yba) == [0]
    check_points(xab + yba)


def test_the_kind_and_the_session_are_bound_into_the_point() -> None:
    k = sodium.random_scalar()
    phone = blind_selectors(SID, k, [("phone", "12345")])
    assert phone != blind_selectors(SID, k, [("id:phone", "12345")])
    assert phone != blind_selectors(OTHER, k, [("phone", "12345")])
    assert phone == blind_selectors(SID, k, [("phone", "12345")])
    assert selector_message(SID, "phone", "1") == SID.encode() + b"\x00phone\x001"


def test_ordering_groups_by_kind_only_when_allowed_and_drops_duplicates() -> None:
    sels = [("phone", "1"), ("email", "a"), ("phone", "2"), ("phone", "1")]
    ordered, groups = order_selectors(sels, by_kind=True)
    assert groups == [("email", 1), ("phone", 2)] and ordered[0] == ("email", "a")
    _, groups = order_selectors(sels, by_kind=False)
    assert groups == [("*", 3)]


def test_shuffling_keeps_each_group_and_counts_per_kind() -> None:
    points = hash_selectors(SID, [("phone", str(i)) for i in range(5)])
    shuffled = shuffle_points(points, [("email", 2), ("phone", 3)])
    assert set(split(shuffled)[:2]) == set(split(points)[:2])
    assert counts_by_kind([0, 3, 4], [("email", 2), ("phone", 3)]) == {"email": 1, "phone": 2}


@pytest.mark.parametrize(
    "bad",
    [
        b"\xff" * 32,
        bytes([0xED] + [0xFF] * 30 + [0x7F]),
        (9 + 2**255).to_bytes(32, "little"),
        TWIST,
    ]
    + [u.to_bytes(32, "little") for u in sorted(curve.SMALL_ORDER)],
    ids=[
        "garbage",
        "p",
        "top-bit",
        "twist",
        "order-2",
        "order-4",
        "order-8a",
        "order-8b",
        "order-4b",
    ],  # fmt: skip
)
def test_invalid_points_are_refused_by_the_check_and_before_any_multiplication(
    bad: bytes,
) -> None:
    good = hash_selectors(SID, [("phone", "1")])
    with pytest.raises(sodium.BadPoint) as refused:
        check_points(good + bad)
    assert refused.value.index == 1
    with pytest.raises(sodium.BadPoint) as refused:
        blind_points(sodium.random_scalar(), good + bad)
    assert refused.value.index == 1


@pytest.mark.parametrize("u", sorted(curve.SMALL_ORDER))
def test_libsodium_itself_refuses_every_small_order_point(u: int) -> None:
    with pytest.raises(sodium.BadPoint):
        sodium.multiply(sodium.random_scalar(), u.to_bytes(32, "little"))


def test_large_arrays_split_over_threads_give_the_same_points() -> None:
    k = sodium.random_scalar()
    one = hash_selectors(SID, [("phone", "1")])
    many = sodium.multiply(k, one * (sodium.PARALLEL_FROM + 3))
    assert set(split(many)) == {sodium.multiply(k, one)}
    assert len(many) == 32 * (sodium.PARALLEL_FROM + 3)


def test_a_refusal_names_the_first_bad_point_across_blocks() -> None:
    good = hash_selectors(SID, [("phone", str(i)) for i in range(3000)])
    with pytest.raises(sodium.BadPoint) as refused:
        blind_points(sodium.random_scalar(), good + TWIST + good)
    assert refused.value.index == 3000


def test_every_kind_fits_the_inbox_and_outbox_columns() -> None:
    types = [InboxEntry.__table__.c.kind.type, OutboxEntry.__table__.c.kind.type]
    assert all(isinstance(t, String) and t.length for t in types)
    width = min(t.length for t in types if isinstance(t, String) and t.length)
    assert all(len(kind) <= width for kind in KINDS)


def test_blinding_uses_the_selector_hash_and_shuffles_are_permutations() -> None:
    k = sodium.random_scalar()
    assert blind_selectors(SID, k, [("phone", "1")]) == sodium.multiply(
        k, hash_selectors(SID, [("phone", "1")])
    )
    items = list(range(1000))
    ordered, _ = order_selectors([("phone", str(i)) for i in items], by_kind=False)
    assert sorted(int(v) for _, v in ordered) == items
    assert [int(v) for _, v in ordered] != items  # 1 in 1000! to fail by chance
