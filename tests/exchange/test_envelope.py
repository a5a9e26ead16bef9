"""Envelope round trips and every attack of issue 3, at the envelope level."""

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from jointprobe.exchange.envelope import (
    Envelope,
    TrustedPeer,
    examine,
    open_envelope,
    parse_envelope,
    resign,
    seal,
)
from jointprobe.exchange.errors import EnvelopeError, ExchangeError
from jointprobe.exchange.keys import NodeKeys
from jointprobe.exchange.receipts import Result, make_receipt, read_receipt, results_by_id
from jointprobe.exchange.wire import b64d, b64e, format_time

from .factories import NOW, envelope, lookup, node, trusted

US = node("us-hsi-nola")
CN = node("cn-mps-nnc", "CN")
MX = node("mx-fgr-cdmx", "MX")
WINDOW = 600
LIMIT = 100_000


def receive(raw: bytes | Envelope, *, peers=None, me=CN, now=NOW, seen=frozenset()):
    if isinstance(raw, Envelope):
        raw = raw.to_json()
    return examine(
        raw,
        keys=me.keys,
        peers=peers or lookup(trusted(US), trusted(MX)),
        now=now,
        window_seconds=WINDOW,
        max_bytes=LIMIT,
        seen=lambda e: e.id in seen,
    )


def rejected(code: str, raw, **kw) -> ExchangeError:
    with pytest.raises(ExchangeError) as info:
        receive(raw, **kw)
    assert info.value.code == code, info.value
    return info.value


def tamper(env: Envelope, **changes) -> bytes:
    data = env.to_dict()
    for key, value in changes.items():
        data[key] = value
    return json.dumps(data).encode()


# --- round trips --------------------------------------------------------------


def test_sealed_envelope_opens_for_its_recipient_with_the_same_body():
    env = envelope(US, CN)
    message = receive(env)
    assert message.kind == "referral" and message.sender == "us-hsi-nola"
    assert message.body["title"] == "Vendor 'Diana'"
    assert parse_envelope(env.to_json(), max_bytes=LIMIT) == env


def test_payload_is_encrypted_once_and_each_recipient_opens_its_own_key():
    env = envelope(US, CN, MX)
    assert set(env.keys) == {"cn-mps-nnc", "mx-fgr-cdmx"}
    assert receive(env, me=CN).body == receive(env, me=MX).body
    assert b"Diana" not in env.to_json()


def test_redelivered_copy_keeps_id_and_digest_but_has_a_fresh_sent_time():
    env = envelope(US, CN)
    later = NOW + timedelta(hours=3)
    again = resign(env, US.keys, now=later)
    assert (again.id, again.digest(), again.created) == (env.id, env.digest(), env.created)
    assert again.sent == later and again.signature != env.signature
    receive(again, now=later)
    rejected("envelope.stale", env, now=later)


def test_all_kinds_seal_and_open():
    for kind in ("ack", "status", "outcome", "rfi", "rfi-response", "notice"):
        env = envelope(US, CN, kind=kind, body={"x": 1})
        assert receive(env).kind == kind


def test_signed_receipt_round_trips_and_names_results():
    env = envelope(US, CN)
    receipt = make_receipt(CN.keys, trusted(US), [Result(env.id, env.digest(), "applied")], now=NOW)
    results = results_by_id(
        read_receipt(
            receipt.to_dict(), keys=US.keys, peer=trusted(CN), now=NOW, window_seconds=WINDOW
        )
    )
    assert results[env.id].status == "applied" and results[env.id].digest == env.digest()


def test_forged_receipt_is_refused():
    impostor = node("cn-mps-nnc", "CN")
    receipt = make_receipt(impostor.keys, trusted(US), [], now=NOW)
    with pytest.raises(EnvelopeError) as info:
        read_receipt(
            receipt.to_dict(), keys=US.keys, peer=trusted(CN), now=NOW, window_seconds=WINDOW
        )
    assert info.value.code == "envelope.unknown_sender"


# --- bad input and attacks (issue 3) ---------------------------------------


def test_unsigned_envelope_is_rejected():
    data = envelope(US, CN).to_dict()
    del data["signature"]
    rejected("envelope.unsigned", json.dumps(data).encode())
    data["signature"] = {"alg": "ed25519", "key": US.card.fingerprint, "value": ""}
    rejected("envelope.unsigned", json.dumps(data).encode())


def test_envelope_from_unknown_sender_is_rejected():
    stranger = node("xx-unknown")
    rejected("envelope.unknown_sender", envelope(stranger, CN))


def test_envelope_signed_by_an_impostor_key_is_rejected():
    impostor = node("us-hsi-nola")  # same node id, different keys
    err = rejected("envelope.unknown_sender", envelope(impostor, CN))
    assert err.status == 401


def test_impostor_claiming_the_trusted_key_id_fails_the_signature():
    impostor = node("us-hsi-nola")
    env = replace(envelope(impostor, CN), key_id=US.card.fingerprint)
    forged = seal_like(env, impostor.keys)
    rejected("envelope.bad_signature", forged)


def seal_like(env: Envelope, keys: NodeKeys) -> Envelope:
    signature = keys.signing.sign(env.signed_bytes()).signature
    return replace(env, signature=b64e(signature))


def test_envelope_signed_by_a_revoked_key_is_rejected():
    old = US
    rotated = node("us-hsi-nola")
    peers = lookup(TrustedPeer(rotated.card, revoked=frozenset({old.card.fingerprint})))
    rejected("envelope.revoked_key", envelope(old, CN), peers=peers)
    assert receive(envelope(rotated, CN), peers=peers)


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_tampered_payload_is_rejected(where):
    env = envelope(US, CN)
    ct = bytearray(env.ciphertext)
    index = {"start": 0, "middle": len(ct) // 2, "end": len(ct) - 1}[where]
    ct[index] ^= 0x01
    payload = {"alg": "xsalsa20poly1305", "nonce": b64e(env.nonce), "ciphertext": b64e(bytes(ct))}
    rejected("envelope.bad_signature", tamper(env, payload=payload))


def test_tampered_sealed_key_is_rejected():
    env = envelope(US, CN)
    sealed = bytearray(env.keys["cn-mps-nnc"])
    sealed[5] ^= 0x80
    rejected("envelope.bad_signature", tamper(env, keys={"cn-mps-nnc": b64e(bytes(sealed))}))


@pytest.mark.parametrize(
    "field,value",
    [
        ("kind", "notice"),
        ("created", "2017-08-14T09:29:00.000Z"),
        ("sent", "2017-08-14T09:30:01.000Z"),
        ("conversation_id", "0" * 32),
        ("in_reply_to", "1" * 32),
        ("seq", {"cn-mps-nnc": 2}),
        ("id", "2" * 32),
    ],
)
def test_tampered_header_is_rejected(field, value):
    rejected("envelope.bad_signature", tamper(envelope(US, CN), **{field: value}))


def test_dropping_a_recipient_breaks_the_signature():
    env = envelope(US, CN, MX)
    data = env.to_dict()
    data["recipients"] = ["cn-mps-nnc"]
    data["keys"] = {"cn-mps-nnc": data["keys"]["cn-mps-nnc"]}
    data["seq"] = {"cn-mps-nnc": 1}
    rejected("envelope.bad_signature", json.dumps(data).encode())


def test_replayed_id_is_rejected():
    env = envelope(US, CN)
    err = rejected("envelope.replayed", env, seen={env.id})
    assert err.status == 409
    # a re-signed copy of the same message is a replay too
    rejected("envelope.replayed", resign(env, US.keys, now=NOW), seen={env.id})


@pytest.mark.parametrize("offset", [-WINDOW - 1, WINDOW + 1, -86_400 * 30])
def test_envelope_outside_the_replay_window_is_rejected(offset):
    env = envelope(US, CN, now=NOW + timedelta(seconds=offset))
    rejected("envelope.stale", env)


def test_envelope_at_the_edge_of_the_window_is_accepted():
    assert receive(envelope(US, CN, now=NOW - timedelta(seconds=WINDOW)))


def test_envelope_not_addressed_to_this_node_is_rejected():
    rejected("envelope.not_addressed", envelope(US, MX), me=CN)


def test_envelope_for_us_signed_for_another_recipient_cannot_be_redirected():
    env = envelope(US, MX)
    data = env.to_dict()
    data["recipients"] = ["cn-mps-nnc"]
    data["keys"] = {"cn-mps-nnc": data["keys"]["mx-fgr-cdmx"]}
    data["seq"] = {"cn-mps-nnc": 1}
    rejected("envelope.bad_signature", json.dumps(data).encode())


@pytest.mark.parametrize("version", ["jp/2", "jp/0", None, 1, ""])
def test_unsupported_version_is_rejected(version):
    err = rejected("envelope.unsupported_version", tamper(envelope(US, CN), version=version))
    assert "jp/1" in err.message


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"not json",
        b"[1, 2",
        b"\xff\xfe",
        b"42",
        b'"jp/1"',
        b"[]",
        b"null",
    ],
)
def test_malformed_json_is_rejected(raw):
    rejected("envelope.malformed", raw)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.pop("id"),
        lambda d: d.update(id="XYZ"),
        lambda d: d.update(kind="gossip"),
        lambda d: d.update(sender="Bad Sender"),
        lambda d: d.update(recipients=[]),
        lambda d: d.update(recipients=["cn-mps-nnc", "cn-mps-nnc"]),
        lambda d: d.update(created="yesterday"),
        lambda d: d.update(seq={"cn-mps-nnc": 0}),
        lambda d: d.update(seq={"cn-mps-nnc": 1.5}),
        lambda d: d.update(seq={"cn-mps-nnc": True}),
        lambda d: d.update(seq=None),
        lambda d: d.update(keys={}),
        lambda d: d["payload"].update(nonce="short"),
        lambda d: d["payload"].update(alg="rot13"),
        lambda d: d["keys"].update({"cn-mps-nnc": "!!!"}),
        lambda d: d.update(surprise=True),
        lambda d: d["signature"].update(alg="rsa"),
        lambda d: d["signature"].update(extra=1),
    ],
)
def test_malformed_envelope_fields_are_rejected(change):
    data = envelope(US, CN).to_dict()
    change(data)
    rejected("envelope.malformed", json.dumps(data).encode())


def test_oversized_body_is_rejected_before_parsing():
    err = rejected("envelope.too_large", b"{" + b" " * LIMIT + b"}")
    assert err.status == 413


def test_kind_outside_the_agreement_is_rejected():
    peers = lookup(trusted(US, kinds=frozenset({"referral", "ack"})))
    notice = envelope(US, CN, kind="notice", body={})
    err = rejected("agreement.kind_not_allowed", notice, peers=peers)
    assert err.status == 403
    assert receive(envelope(US, CN), peers=peers)


def test_ciphertext_lifted_into_another_senders_envelope_is_rejected():
    original = envelope(US, CN)
    lifted = replace(
        original,
        sender="mx-fgr-cdmx",
        key_id=MX.card.fingerprint,
        created=NOW,
    )
    lifted = seal_like(lifted, MX.keys)
    rejected("envelope.malformed", lifted)


def test_garbage_ciphertext_signed_by_the_sender_is_undecryptable():
    env = envelope(US, CN)
    broken = seal_like(replace(env, ciphertext=b"\x00" * len(env.ciphertext)), US.keys)
    rejected("envelope.undecryptable", broken)


def test_card_signature_is_not_accepted_as_an_envelope_signature():
    env = envelope(US, CN)
    card_sig = US.card.to_dict()["signature"]["value"]
    rejected("envelope.bad_signature", replace(env, signature=card_sig))


def test_signature_value_that_is_not_base64_is_a_bad_signature():
    rejected("envelope.bad_signature", replace(envelope(US, CN), signature="@@@"))


def test_errors_do_not_leak_plaintext_or_keys():
    env = envelope(US, CN)
    for raw in (tamper(env, kind="status"), replace(env, signature="A" * 86).to_json()):
        with pytest.raises(ExchangeError) as info:
            receive(raw)
        text = str(info.value)
        assert "Diana" not in text and b64e(bytes(CN.keys.box)) not in text


def test_receiver_check_uses_the_mocked_clock_not_the_wall_clock():
    past = NOW - timedelta(days=3000)
    env = envelope(US, CN, now=past)
    assert receive(env, now=past)
    assert format_time(env.sent) == format_time(past)
    assert b64d(b64e(b"abc"), field="x") == b"abc"


def test_open_envelope_needs_the_recipients_key():
    env = envelope(US, CN)
    other = NodeKeys.generate("cn-mps-nnc")
    with pytest.raises(ExchangeError) as info:
        open_envelope(env, other)
    assert info.value.code == "envelope.undecryptable"


def test_seal_refuses_sequence_numbers_on_receipts_and_missing_ones_elsewhere():
    with pytest.raises(ExchangeError):
        seal(US.keys, kind="referral", body={}, recipients={CN.id: CN.card.box_public}, now=NOW)
    with pytest.raises(ExchangeError):
        seal(
            US.keys,
            kind="receipt",
            body={},
            recipients={CN.id: CN.card.box_public},
            seq={CN.id: 1},
            now=NOW,
        )
