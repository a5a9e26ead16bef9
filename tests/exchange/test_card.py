import re

import pytest

from jointprobe.exchange.card import (
    CardUpdate,
    NodeCard,
    fingerprints_equal,
    normalise_fingerprint,
)
from jointprobe.exchange.errors import CardError, FingerprintMismatch
from jointprobe.exchange.keys import NodeKeys

from .factories import NOW, node


def test_card_round_trips_with_its_self_signature():
    us = node("us-hsi-nola")
    again = NodeCard.from_dict(us.card.to_dict())
    assert again == us.card
    assert again.fingerprint == us.keys.fingerprint


def test_fingerprint_is_ten_groups_of_hex_and_ignores_address():
    us = node("us-hsi-nola")
    assert re.fullmatch(r"([0-9A-F]{4}-){9}[0-9A-F]{4}", us.card.fingerprint)
    moved = NodeCard.create(us.keys, name="HSI", country="us", endpoint="http://10.0.0.1:9")
    assert moved.fingerprint == us.card.fingerprint


def test_fingerprint_comparison_ignores_case_and_separators():
    fp = node("us-hsi-nola").card.fingerprint
    assert fingerprints_equal(fp, fp.lower().replace("-", " "))
    assert fingerprints_equal(fp, ":".join(normalise_fingerprint(fp)))
    assert not fingerprints_equal(fp, fp[:-1] + ("0" if fp[-1] != "0" else "1"))


def test_card_is_refused_unless_the_operator_fingerprint_matches():
    us, other = node("us-hsi-nola"), node("us-hsi-nola")
    us.card.require_fingerprint(us.card.fingerprint)
    with pytest.raises(FingerprintMismatch) as info:
        us.card.require_fingerprint(other.card.fingerprint)
    assert info.value.code == "card.fingerprint_mismatch"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(endpoint="http://evil.example"),
        lambda d: d["keys"].update(box=node("x-attacker").card.to_dict()["keys"]["box"]),
        lambda d: d.update(name="Someone else"),
    ],
)
def test_tampered_card_is_refused(change):
    data = node("us-hsi-nola").card.to_dict()
    change(data)
    with pytest.raises(CardError):
        NodeCard.from_dict(data)


def test_card_with_unknown_fields_is_refused():
    data = node("us-hsi-nola").card.to_dict()
    data["extra"] = 1
    with pytest.raises(CardError):
        NodeCard.from_dict(data)


def test_key_rotation_update_signed_by_old_key_is_accepted():
    old = node("cn-mps-nnc", "CN")
    new_keys = NodeKeys.generate("cn-mps-nnc")
    new_card = NodeCard.create(new_keys, name="MPS", country="CN", endpoint="http://x", issued=NOW)
    update = CardUpdate.from_dict(CardUpdate.create(old.keys, new_card).to_dict())
    assert update.verify(old.card).fingerprint == new_keys.fingerprint
    assert fingerprints_equal(update.previous, old.card.fingerprint)


def test_key_rotation_update_not_signed_by_trusted_key_is_refused():
    old = node("cn-mps-nnc", "CN")
    impostor = node("cn-mps-nnc", "CN")
    new_keys = NodeKeys.generate("cn-mps-nnc")
    new_card = NodeCard.create(new_keys, name="MPS", country="CN", endpoint="http://x")
    forged = CardUpdate.create(impostor.keys, new_card)
    with pytest.raises(CardError):
        forged.verify(old.card)
    # even claiming the trusted fingerprint as "previous" does not help
    data = forged.to_dict()
    data["previous"] = old.card.fingerprint
    data["signature"]["key"] = old.card.fingerprint
    with pytest.raises(CardError):
        CardUpdate.from_dict(data).verify(old.card)


def test_card_update_cannot_change_node_id():
    old = node("cn-mps-nnc", "CN")
    other = NodeKeys.generate("cn-other")
    card = NodeCard.create(other, name="X", country="CN", endpoint="http://x")
    with pytest.raises(CardError):
        CardUpdate.create(old.keys, card)


def test_card_signature_cannot_be_used_as_a_card_update_signature():
    old = node("cn-mps-nnc", "CN")
    new_keys = NodeKeys.generate("cn-mps-nnc")
    new_card = NodeCard.create(new_keys, name="MPS", country="CN", endpoint="http://x")
    data = CardUpdate.create(old.keys, new_card).to_dict()
    data["signature"]["value"] = old.card.to_dict()["signature"]["value"]
    with pytest.raises(CardError):
        CardUpdate.from_dict(data).verify(old.card)
