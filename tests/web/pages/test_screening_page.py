import json

from fastapi.testclient import TestClient
from tests.screening.factories import order

from .conftest import csrf_of, sign_in

HOLD = order(
    order_id="PO-WEB", customer_id=None,
    buyer={"name": "Northwind Fine Chemicals", "country": "MX"},
    substance={"cas": "23056-29-3"}, quantity="25", payment_method="virtual_currency",
    payment_wallet="bc1qexample", consignee={"name": "Rapido Freight Forwarding"},
)  # fmt: skip


def test_pasted_orders_get_verdicts_with_reasons_and_bad_lines_named(
    analyst: TestClient,
) -> None:
    token = csrf_of(analyst.get("/screening").text)
    text = json.dumps(HOLD) + "\n" + '{"order_id": "bad"}\n'
    r = analyst.post("/screening", data={"orders": text, "csrf_token": token})
    assert r.status_code == 200, r.text
    assert 'data-verdict="hold_and_report"' in r.text
    assert 'data-code="RF.VIRTUAL_CURRENCY"' in r.text and "FIN-2024-A002" in r.text
    assert "line 2: order_date: Field required" in r.text
    assert "1 orders screened: 0 clear, 0 review, 1 hold and report; 1 lines left out" in r.text
    assert "PO-WEB" in r.text.split('id="recent-h"')[1]  # stored, listed for its screener


def test_an_uploaded_csv_is_screened(analyst: TestClient) -> None:
    token = csrf_of(analyst.get("/screening").text)
    csv = ("order_id,order_date,buyer.name,buyer.country,substance.name,quantity,unit\n"
           "PO-CSV,2025-01-02,Acme Ltd,GB,ethanol,5,kg\n")  # fmt: skip
    files = {"file": ("orders.csv", csv.encode(), "text/csv")}
    r = analyst.post("/screening", data={"csrf_token": token}, files=files)
    assert r.status_code == 200 and "PO-CSV" in r.text


def test_empty_input_and_a_missing_token_are_refused(analyst: TestClient) -> None:
    token = csrf_of(analyst.get("/screening").text)
    r = analyst.post("/screening", data={"orders": " ", "csrf_token": token})
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert analyst.post("/screening", data={"orders": json.dumps(HOLD)}).status_code == 403


def test_another_analyst_does_not_see_the_screenings(client: TestClient) -> None:
    assert sign_in(client, "analyst").status_code == 303
    token = csrf_of(client.get("/screening").text)
    client.post("/screening", data={"orders": json.dumps({**HOLD, "order_id": "PO-PRIV"}),
                                    "csrf_token": token})  # fmt: skip
    client.cookies.clear()
    assert sign_in(client, "bob").status_code == 303
    assert "PO-PRIV" not in client.get("/screening").text
