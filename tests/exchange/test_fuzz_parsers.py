"""Fuzzing the parsers a peer's bytes reach: they answer, or refuse with a JointprobeError.

Every property runs on arbitrary input and on mutations of a valid, really
signed document (a field dropped, added, retyped, re-texted, nested in lists;
a byte flipped; a key written twice). A mutated signed document never verifies
unless the mutation left the signed bytes unchanged.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import nacl.utils
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from nacl.public import PublicKey, SealedBox
from nacl.secret import SecretBox

from jointprobe.errors import JointprobeError
from jointprobe.exchange.card import CardUpdate, NodeCard
from jointprobe.exchange.envelope import (
    KINDS,
    Envelope,
    envelope_from_dict,
    load_json,
    open_envelope,
    parse_envelope,
    verify,
)
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.markings import Marking
from jointprobe.exchange.payloads import parse_body
from jointprobe.exchange.receipts import Result, make_receipt, read_receipt, results_by_id

from .factories import NOW, envelope, lookup, marking, node, referral_body, trusted
from .fuzzing import (
    FUZZ,
    ByteEdit,
    Mutation,
    attempt,
    byte_edits,
    encode,
    json_objects,
    json_values,
    mutations,
    nest,
    with_duplicate_key,
)

US = node("us-hsi-nola")
CN = node("cn-mps-nnc", "CN")
WINDOW = 600
LIMIT = 1_000_000
PEERS = lookup(trusted(US))
ENV = envelope(US, CN)
DOC = ENV.to_dict()
RAW = ENV.to_json()
RECEIPT = make_receipt(
    CN.keys, trusted(US), [Result(ENV.id, ENV.digest(), "applied")], now=NOW
).to_dict()


def examine_envelope(raw: bytes) -> None:
    """Parse, verify and open as a receiver would; only JointprobeErrors may stop it."""
    env, _ = attempt(lambda: parse_envelope(raw, max_bytes=LIMIT), JointprobeError)
    if env is None:
        return
    check_verified(env)


def check_verified(env: Envelope) -> None:
    peer, _ = attempt(
        lambda: verify(env, peers=PEERS, me=CN.id, now=NOW, window_seconds=WINDOW),
        JointprobeError,
    )
    if peer is not None:
        assert env.signed_bytes() == ENV.signed_bytes(), "a changed envelope verified"
    attempt(lambda: open_envelope(env, CN.keys), JointprobeError)


# --- the valid document is valid --------------------------------------------------


def test_the_unmutated_envelope_and_receipt_are_accepted() -> None:
    env = parse_envelope(RAW, max_bytes=LIMIT)
    assert verify(env, peers=PEERS, me=CN.id, now=NOW, window_seconds=WINDOW).node_id == US.id
    assert open_envelope(env, CN.keys).body["title"] == "Vendor 'Diana'"
    receipt = read_receipt(RECEIPT, keys=US.keys, peer=trusted(CN), now=NOW, window_seconds=WINDOW)
    assert results_by_id(receipt)[ENV.id].status == "applied"


# --- arbitrary input ----------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xff\xfe{}")
@example(b'{"version":"jp/1"}')
@example(b"1" * 5000)
@example(b'"\\ud800"')
@example(b"[" * 900 + b"]" * 900)
def test_arbitrary_bytes_parse_or_are_refused_with_an_envelope_error(raw: bytes) -> None:
    attempt(lambda: load_json(raw, max_bytes=LIMIT), JointprobeError)
    examine_envelope(raw)


@FUZZ
@given(json_values)
def test_arbitrary_json_is_refused_with_an_envelope_error(data: Any) -> None:
    _, error = attempt(lambda: envelope_from_dict(data), JointprobeError)
    assert error is not None, "arbitrary JSON made an envelope"


@FUZZ
@given(st.text(max_size=500))
def test_arbitrary_text_parses_or_is_refused(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    examine_envelope(raw)


# --- mutations of a valid, signed envelope ------------------------------------------


@FUZZ
@given(mutations(DOC))
@example(Mutation("replace", ("signature", "key"), "\ud800"))
@example(Mutation("replace", ("seq", "cn-mps-nnc"), 2**64))
@example(Mutation("replace", ("seq", "cn-mps-nnc"), 1.0))
@example(Mutation("replace", ("recipients",), ["cn-mps-nnc", "cn-mps-nnc"]))
@example(Mutation("retext", ("id",), (32, "\n")))
@example(Mutation("retext", ("created",), (24, "\n")))
@example(Mutation("nest", ("payload",), 50))
def test_mutated_envelope_is_refused_unless_its_signed_bytes_are_unchanged(
    mutation: Mutation,
) -> None:
    data = mutation.apply(DOC)
    env, _ = attempt(lambda: envelope_from_dict(data), JointprobeError)
    if env is not None:
        check_verified(env)
    examine_envelope(encode(data))


@FUZZ
@given(byte_edits)
def test_envelope_with_a_flipped_byte_is_refused_unless_its_signed_bytes_are_unchanged(
    edit: ByteEdit,
) -> None:
    examine_envelope(edit.apply(RAW))


@FUZZ
@given(st.sampled_from(sorted(DOC)), json_values, st.booleans())
def test_duplicate_keys_never_smuggle_a_changed_envelope_past_verification(
    key: str, value: Any, first: bool
) -> None:
    raw = with_duplicate_key(RAW, key, value, first=first)
    examine_envelope(raw)


@FUZZ
@given(st.text(min_size=1, max_size=30), st.sampled_from(["id", "sender", "created", "sent"]))
def test_non_ascii_in_signed_fields_never_verifies(text: str, field: str) -> None:
    data = {**DOC, field: DOC[field] + text}
    env, _ = attempt(lambda: envelope_from_dict(data), JointprobeError)
    if env is not None:
        peer, _ = attempt(
            lambda: verify(env, peers=PEERS, me=CN.id, now=NOW, window_seconds=WINDOW),
            JointprobeError,
        )
        assert peer is None


@pytest.mark.parametrize("field", ["id", "conversation_id", "created", "sent", "sender"])
def test_a_trailing_newline_does_not_pass_for_a_well_formed_field(field: str) -> None:
    data = {**DOC, field: DOC[field] + "\n"}
    with pytest.raises(JointprobeError):
        envelope_from_dict(data)


# --- deep nesting ----------------------------------------------------------------------


@FUZZ
@given(st.integers(min_value=1, max_value=20_000), st.sampled_from([b"[", b'{"a":']))
def test_deeply_nested_json_is_refused_as_malformed(depth: int, opener: bytes) -> None:
    closer = b"]" if opener == b"[" else b"}"
    attempt(lambda: load_json(opener * depth + closer * depth, max_bytes=LIMIT), JointprobeError)


def seal_plaintext(plaintext: bytes) -> Envelope:
    """ENV with its payload replaced by ``plaintext``, sealed to CN (open_envelope's input)."""
    key = nacl.utils.random(SecretBox.KEY_SIZE)
    box = SecretBox(key).encrypt(plaintext)
    sealed = SealedBox(PublicKey(CN.card.box_public)).encrypt(key)
    return replace(ENV, nonce=box.nonce, ciphertext=box.ciphertext, keys={CN.id: sealed})


def inner(body: Any) -> bytes:
    return encode({"id": ENV.id, "kind": ENV.kind, "sender": ENV.sender, "body": body})


@FUZZ
@given(
    st.binary(max_size=500)
    | json_values.map(encode)
    | json_values.map(inner)
    | json_objects.map(lambda o: encode({**o, "id": ENV.id}))
)
@example(b"\xff")
@example(inner(None))
def test_any_plaintext_opens_or_is_refused_with_an_envelope_error(plaintext: bytes) -> None:
    attempt(lambda: open_envelope(seal_plaintext(plaintext), CN.keys), JointprobeError)


@FUZZ
@given(st.integers(min_value=1, max_value=5_000))
def test_deeply_nested_plaintext_is_refused_as_malformed(depth: int) -> None:
    plaintext = b"[" * depth + b"]" * depth
    attempt(lambda: open_envelope(seal_plaintext(plaintext), CN.keys), JointprobeError)


# --- receipts -------------------------------------------------------------------------


@FUZZ
@given(mutations(RECEIPT) | json_values.map(lambda v: Mutation("replace", (), v)))
@example(Mutation("replace", ("kind",), "referral"))
@example(Mutation("drop", ("signature", "value")))
def test_mutated_receipt_is_refused_unless_its_signed_bytes_are_unchanged(
    mutation: Mutation,
) -> None:
    data = mutation.apply(RECEIPT)
    results, _ = attempt(
        lambda: read_receipt(data, keys=US.keys, peer=trusted(CN), now=NOW, window_seconds=WINDOW),
        JointprobeError,
    )
    if results is not None:
        expected = envelope_from_dict(RECEIPT).signed_bytes()
        assert envelope_from_dict(data).signed_bytes() == expected


# --- bodies and markings --------------------------------------------------------------


BODIES = {
    "referral": referral_body(),
    "receipt": {"received": "2017-08-14T09:30:00.000Z", "results": []},
    "ack": {"decision": "accept", "reason": "ok"},
    "status": {"state": "open", "marking": marking().to_dict()},
    "outcome": {
        "outcomes": [{"type": "arrest", "description": "two held", "details": {"n": 2}}],
        "marking": marking().to_dict(),
    },
    "notice": {"topic": "keys", "card_update": {}, "marking": marking().to_dict()},
}


@FUZZ
@given(st.sampled_from([*KINDS, "nonsense"]), json_values)
def test_any_body_parses_or_is_refused_as_malformed(kind: str, body: Any) -> None:
    attempt(lambda: parse_body(kind, body), JointprobeError)


@FUZZ
@given(st.data())
def test_mutated_bodies_parse_or_are_refused_as_malformed(data: Any) -> None:
    kind = data.draw(st.sampled_from(sorted(BODIES)))
    mutation = data.draw(mutations(BODIES[kind]))
    attempt(lambda: parse_body(kind, mutation.apply(BODIES[kind])), JointprobeError)


@pytest.mark.parametrize("grading", [5, ["B2"], {"B": 2}, True])
def test_a_body_whose_marking_grading_is_not_text_is_refused_as_malformed(grading: Any) -> None:
    body = {**referral_body(), "marking": {**marking().to_dict(), "grading": grading}}
    with pytest.raises(JointprobeError):
        parse_body("referral", body)


MARKING = marking(grading="B2", consent=["cn-mps-nnc"], expires="2018-01-01T00:00:00Z").to_dict()


@FUZZ
@given(mutations(MARKING) | json_values.map(lambda v: Mutation("replace", (), v)))
@example(Mutation("replace", ("grading",), 5))
@example(Mutation("replace", ("tlp",), ["AMBER"]))
def test_a_received_marking_parses_or_is_refused_as_malformed(mutation: Mutation) -> None:
    attempt(lambda: Marking.from_dict(mutation.apply(MARKING)), JointprobeError)


# --- cards and card updates (a notice carries one) ------------------------------------


NEW_KEYS = NodeKeys.generate(US.id)
NEW_CARD = NodeCard.create(
    NEW_KEYS, name="US", country="US", endpoint="http://127.0.0.1:2", issued=NOW
)
UPDATE = CardUpdate.create(US.keys, NEW_CARD).to_dict()


@FUZZ
@given(mutations(UPDATE) | json_values.map(lambda v: Mutation("replace", (), v)))
@example(Mutation("replace", ("signature",), "x"))
@example(Mutation("replace", ("card", "signature"), "x"))
@example(Mutation("replace", ("card", "keys"), "x"))
def test_mutated_card_update_is_refused_unless_what_it_signs_is_unchanged(
    mutation: Mutation,
) -> None:
    data = mutation.apply(UPDATE)
    update, _ = attempt(lambda: CardUpdate.from_dict(data), JointprobeError)
    if update is None:
        return
    card, _ = attempt(lambda: update.verify(US.card), JointprobeError)
    if card is not None:
        assert update.unsigned_dict() == CardUpdate.from_dict(UPDATE).unsigned_dict()
        assert card.unsigned_dict() == NEW_CARD.unsigned_dict()


def test_the_fuzzing_helpers_write_what_they_describe() -> None:
    assert json.loads(with_duplicate_key(RAW, "kind", "ack", first=False))["kind"] == "ack"
    assert nest(1, 3) == [[[1]]]
    assert Mutation("drop", ("id",)).apply(DOC).keys() == DOC.keys() - {"id"}
