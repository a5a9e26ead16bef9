"""Stored markings use the exchange's one definition of TLP labels and gradings."""

from datetime import UTC, datetime

import pytest

from jointprobe.cases.marking import TLP_LABELS, check_marking
from jointprobe.errors import InvalidInput
from jointprobe.exchange.markings import Grading, Tlp, marking_from_store
from jointprobe.exchange.wire import format_time
from jointprobe.timeutil import iso


def test_stored_tlp_labels_are_the_exchange_labels() -> None:
    assert TLP_LABELS == tuple(t.value for t in Tlp)
    for label in TLP_LABELS:
        tlp, _, _ = check_marking(label.lower(), None, None)
        assert marking_from_store(tlp, None, None, originator="us-hsi-nola").tlp is Tlp(label)
    assert check_marking("TLP:WHITE", None, None)[0] == "CLEAR"


def test_bad_tlp_or_grade_is_input_invalid_and_grades_are_normalised() -> None:
    with pytest.raises(InvalidInput, match="unknown TLP label 'PURPLE'"):
        check_marking("PURPLE", None, None)
    with pytest.raises(InvalidInput, match="Admiralty grade"):
        check_marking("AMBER", None, "G7")
    assert check_marking("AMBER", None, " b2 ")[2] == str(Grading.parse("B2")) == "B2"


def test_a_received_originator_is_accepted_exactly_when_the_wire_accepts_it() -> None:
    handling = {"originator": "cn.mps-nnc", "consent": ["us_hsi"]}
    assert check_marking("AMBER", handling, None)[1]["originator"] == "cn.mps-nnc"
    with pytest.raises(InvalidInput):
        check_marking("AMBER", {"originator": "CN MPS"}, None)


def test_one_time_format_audit_in_microseconds_wire_in_milliseconds() -> None:
    moment = datetime(2026, 11, 24, 22, 45, 1, 123456, tzinfo=UTC)
    assert iso(moment) == "2026-11-24T22:45:01.123456Z"
    assert format_time(moment) == iso(moment, timespec="milliseconds") == "2026-11-24T22:45:01.123Z"
    assert format_time(moment.replace(tzinfo=None)) == "2026-11-24T22:45:01.123Z"
