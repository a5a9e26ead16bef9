from datetime import timedelta

import pytest

from jointprobe.exchange.errors import MalformedEnvelope, MarkingForbidden
from jointprobe.exchange.markings import (
    Channel,
    Grading,
    Marking,
    Purpose,
    Tlp,
    may_release,
    require_release,
)

from .factories import NOW, marking

US, CN, MX = "us-hsi-nola", "cn-mps-nnc", "mx-fgr-cdmx"


def release(m: Marking, recipient: str | None, holder: str = US, **kw):
    kw.setdefault("max_tlp", Tlp.RED)
    return may_release(m, recipient, holder=holder, now=NOW, **kw)


def test_tlp_labels_are_ordered_and_parsed_leniently():
    assert Tlp.CLEAR < Tlp.GREEN < Tlp.AMBER < Tlp.AMBER_STRICT < Tlp.RED
    assert Tlp.parse("tlp:amber+strict") is Tlp.AMBER_STRICT
    assert Tlp.parse("WHITE") is Tlp.CLEAR
    with pytest.raises(MalformedEnvelope):
        Tlp.parse("PURPLE")


def test_admiralty_grading_parses_and_explains():
    g = Grading.parse("b2")
    assert str(g) == "B2"
    assert "usually reliable" in g.describe() and "probably true" in g.describe()
    for bad in ("G1", "A7", "AA", ""):
        with pytest.raises(MalformedEnvelope):
            Grading.parse(bad)


def test_originator_may_send_up_to_the_agreement_tlp():
    m = marking("AMBER", US)
    assert release(m, CN, max_tlp=Tlp.AMBER)
    denied = release(m, CN, max_tlp=Tlp.GREEN)
    assert not denied and "exceeds the agreement" in denied.reason


def test_onward_disclosure_needs_originator_consent():
    m = marking("AMBER", US)
    denied = release(m, MX, holder=CN)
    assert not denied and "consent of us-hsi-nola" in denied.reason
    assert release(marking("AMBER", US, consent=[MX]), MX, holder=CN)
    assert release(marking("GREEN", US, consent=["*"]), MX, holder=CN)


def test_red_is_never_passed_on_under_blanket_consent():
    assert not release(marking("RED", US, consent=["*"]), MX, holder=CN)
    assert release(marking("RED", US, consent=[MX]), MX, holder=CN)


def test_clear_may_be_passed_on_and_published():
    m = marking("CLEAR", US)
    assert release(m, MX, holder=CN)
    assert release(m, None, channel=Channel.PUBLIC)


def test_only_clear_may_be_published():
    for tlp in ("GREEN", "AMBER", "AMBER+STRICT", "RED"):
        assert not release(marking(tlp, US), None, channel=Channel.PUBLIC)


def test_expired_marking_forbids_any_release():
    m = marking("CLEAR", US, expires="2017-08-01T00:00:00.000Z")
    decision = release(m, CN)
    assert not decision and "expired" in decision.reason


def test_intelligence_only_item_may_not_be_used_as_evidence():
    intel = marking("GREEN", US)
    assert release(intel, CN)
    assert not release(intel, CN, purpose=Purpose.EVIDENTIAL)
    evidential = marking("GREEN", US, use="evidential")
    assert release(evidential, CN, purpose=Purpose.EVIDENTIAL)


def test_require_release_raises_marking_forbidden_with_403():
    with pytest.raises(MarkingForbidden) as info:
        require_release(marking("RED", US), CN, holder=US, now=NOW, max_tlp=Tlp.AMBER)
    assert (info.value.code, info.value.status) == ("marking.forbidden", 403)


def test_marking_round_trips_and_shows_a_banner():
    m = marking("AMBER+STRICT", US, grading="B2", expires="2019-11-30T00:00:00.000Z")
    assert Marking.from_dict(m.to_dict()) == m
    banner = m.banner(now=NOW)
    assert banner.startswith("TLP:AMBER+STRICT")
    assert "no onward disclosure without consent of us-hsi-nola" in banner
    assert "graded B2" in banner and "expires 2019-11-30" in banner
    assert m.expires is not None
    assert "EXPIRED" in m.banner(now=m.expires + timedelta(seconds=1))


@pytest.mark.parametrize(
    "data",
    [
        {"tlp": "AMBER"},
        {"tlp": "AMBER", "originator": "us-hsi-nola", "use": "gossip"},
        {"tlp": "AMBER", "originator": "us-hsi-nola", "secret": 1},
        {"tlp": "AMBER", "originator": "us-hsi-nola", "consent": "everyone"},
        {"tlp": "AMBER", "originator": "us-hsi-nola", "grading": "Z9"},
    ],
)
def test_malformed_markings_are_refused(data):
    with pytest.raises(MalformedEnvelope):
        Marking.from_dict(data)


def test_stricter_marking_takes_higher_tlp_intelligence_only_common_consent_earlier_expiry():
    item = marking("AMBER", US, use="evidential", consent=[CN, MX], grading="B2",
                   expires="2017-12-01T00:00:00.000Z")  # fmt: skip
    case = marking("RED", US, consent=["*"], expires="2017-10-01T00:00:00.000Z")
    both = item.stricter(case)
    assert both.tlp is Tlp.RED and both.use.value == "intelligence"
    assert both.consent == {CN, MX} and both.expires == case.expires
    assert both.originator == US and str(both.grading) == "B2"
    assert item.stricter(marking("CLEAR", US, consent=[MX])).consent == {MX}
    assert item.stricter(marking("GREEN", US)).consent == frozenset()
    assert item.stricter(marking("GREEN", US)).tlp is Tlp.AMBER
    assert item.stricter(marking("GREEN", US, use="evidential")).use.value == "evidential"
    assert marking("AMBER", US).stricter(item).expires == item.expires
