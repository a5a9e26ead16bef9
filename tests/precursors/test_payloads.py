"""Precursor bodies and forms: strict fields, caps, and clear errors naming the field."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.exchange.live import HANDLERS

from jointprobe.errors import InvalidInput
from jointprobe.exchange.envelope import seal
from jointprobe.exchange.errors import MalformedEnvelope
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.inbox import receive
from jointprobe.exchange.payloads import cas_problem, parse_body
from jointprobe.precursors import IncidentIn, PenIn, PrecursorMessage, parse_form
from jointprobe.precursors.forms import MAX_FORM_BYTES
from jointprobe.scenarios.precursor_trade import incident_form, pen_form
from jointprobe.timeutil import utcnow

from .pair import inbox_state, keys, make, trust


def _body() -> dict[str, Any]:
    form = pen_form(utcnow())
    form.pop("tlp")
    form["reply_by"] = "2030-01-01T00:00:00.000Z"
    form["marking"] = {"tlp": "AMBER", "originator": "cn-nnc"}
    return form


def test_a_valid_notification_body_parses() -> None:
    assert parse_body("pen", _body()).model_dump()["consignments"][0]["unit"] == "kg"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"consignments": []}, "consignments"),
        ({"consignments": [{**_body()["consignments"][0], "cas": "50-98-7"}]}, "cas"),
        ({"consignments": [{**_body()["consignments"][0], "quantity": -1}]}, "quantity"),
        ({"consignments": [{**_body()["consignments"][0], "quantity": float("nan")}]}, "quantity"),
        ({"consignments": [{**_body()["consignments"][0], "hs_code": "29x"}]}, "hs_code"),
        ({"exporter": {**_body()["exporter"], "country": "China"}}, "country"),
        ({"exporter": {**_body()["exporter"], "name": "x" * 301}}, "name"),
        ({"end_use": "x" * 2_001}, "end_use"),
        ({"transit": ["Dubai"] * 21}, "transit"),
        ({"reply_by": "tomorrow"}, "reply_by"),
        ({"transport_mode": "teleport"}, "transport_mode"),
        ({"extra": 1}, "extra"),
        ({"marking": {"tlp": "PURPLE", "originator": "cn-nnc"}}, "TLP"),
    ],
)
def test_a_malformed_notification_body_is_refused_naming_the_field(
    change: dict[str, Any], where: str
) -> None:
    with pytest.raises(MalformedEnvelope) as bad:
        parse_body("pen", {**_body(), **change})
    assert where in bad.value.message


def test_answers_need_a_known_decision_and_a_reason_unless_no_objection() -> None:
    marking = {"tlp": "AMBER", "originator": "us-dea"}
    assert parse_body("pen-answer", {"decision": "no-objection", "marking": marking})
    too_long = {"decision": "objection", "reason": "x" * 20_001}
    for bad in ({"decision": "objection"}, {"decision": "rfi", "reason": "  "},
                {"decision": "yes", "reason": "x"}, too_long):  # fmt: skip
        with pytest.raises(MalformedEnvelope):
            parse_body("pen-answer", {**bad, "marking": marking})


def test_cas_numbers_are_checked_with_their_check_digit() -> None:
    assert cas_problem("299-42-3") is None
    assert "check digit should be 3" in (cas_problem("299-42-4") or "")
    assert "not written" in (cas_problem("29942-3") or "")


def test_a_bad_form_names_the_line_of_the_field_and_writes_nothing() -> None:
    with pytest.raises(InvalidInput) as bad:
        parse_form(PenIn, {**pen_form(utcnow()), "reply_by": "soon"}, where="pen.json")
    assert str(bad.value).startswith("pen.json: reply_by")
    with pytest.raises(InvalidInput) as notjson:
        parse_form(PenIn, "{not json")
    assert "not JSON" in notjson.value.message
    with pytest.raises(InvalidInput) as big:
        parse_form(IncidentIn, "x" * (MAX_FORM_BYTES + 1))
    assert "over" in big.value.message
    form = incident_form(date(2026, 11, 30))
    with pytest.raises(InvalidInput) as wrong:
        parse_form(IncidentIn, {**form, "type": "rumour"})
    assert str(wrong.value).startswith("type")


def test_a_malformed_notification_from_a_peer_is_rejected_and_not_applied(tmp_path: Path) -> None:
    cn, us = make(tmp_path, "cn-nnc", "CN"), make(tmp_path, "us-dea", "US")
    try:
        trust(cn, us)
        box = {"us-dea": own_card(us).box_public}
        body = {**_body(), "consignments": [{**_body()["consignments"][0], "quantity": 0}]}
        env = seal(keys(cn), kind="pen", body=body, recipients=box, now=utcnow(),
                   seq={"us-dea": 1})  # fmt: skip
        result = receive(us, keys(us), env.to_json(), handlers=HANDLERS)[0].results[0]
        assert (result.status, result.code) == ("rejected", "envelope.malformed")
        past = {**_body(), "reply_by": "2030-01-01T00:00:00.000Z"}
        late = seal(keys(cn), kind="pen", body=past, recipients=box,
                    now=utcnow() - timedelta(seconds=1), seq={"us-dea": 2})  # fmt: skip
        receive(us, keys(us), late.to_json(), handlers=HANDLERS)
        assert inbox_state(us, late.id) == ("applied", None)
        with us.session() as session:
            assert [r.id for r in session.scalars(select(PrecursorMessage))] == [late.id]
    finally:
        cn.close()
        us.close()
