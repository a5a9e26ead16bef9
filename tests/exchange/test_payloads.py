import pytest

from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.markings import Tlp
from jointprobe.exchange.payloads import ReferralBody, markings_of, parse_body

from .factories import referral_body


def test_referral_body_validates_and_exposes_every_marking():
    body = parse_body("referral", referral_body())
    assert isinstance(body, ReferralBody)
    markings = markings_of(body)
    assert len(markings) == 2 and all(m.tlp is Tlp.AMBER for m in markings)


@pytest.mark.parametrize(
    "kind,body",
    [
        ("referral", {**referral_body(), "due": "next week"}),
        ("referral", {**referral_body(), "surprise": 1}),
        ("referral", {**referral_body(), "marking": {"tlp": "BLUE", "originator": "us-x"}}),
        ("ack", {"decision": "maybe"}),
        ("outcome", {"outcomes": [], "marking": referral_body()["marking"]}),
        ("status", {"state": "investigating"}),
        ("nonsense", {}),
    ],
)
def test_invalid_bodies_are_malformed(kind, body):
    with pytest.raises(MalformedEnvelope):
        parse_body(kind, body)


def test_outcome_body_carries_typed_outcomes():
    marking = referral_body()["marking"]
    body = parse_body(
        "outcome",
        {
            "outcomes": [
                {"type": "seizure", "description": "fentanyl", "details": {"kg": 11.9}},
                {"type": "arrest", "description": "more than 20 arrests", "date": "2017-12"},
            ],
            "marking": marking,
        },
    )
    assert [o.type for o in body.outcomes] == ["seizure", "arrest"]  # type: ignore[attr-defined]
