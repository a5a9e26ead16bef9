import time

from fastapi.testclient import TestClient

from jointprobe.node import Node
from jointprobe.web.session import COOKIE_NAME, SessionSigner, new_session

from .conftest import csrf_of, sign_in


def test_a_signed_out_visitor_is_sent_to_sign_in_with_the_page_to_return_to(
    client: TestClient,
) -> None:
    r = client.get("/cases/xingtai-2017")
    assert r.status_code == 303
    assert r.headers["location"] == "/signin?next=%2Fcases%2Fxingtai-2017"


def test_sign_in_leads_back_to_the_page_asked_for(client: TestClient) -> None:
    token = csrf_of(client.get("/signin?next=/cooperation").text)
    data = {
        "username": "analyst",
        "password": "xingtai-analyst-pw",
        "csrf_token": token,
        "next": "/cooperation",
    }
    r = client.post("/signin", data=data)
    assert r.status_code == 303 and r.headers["location"] == "/cooperation"
    assert client.get("/cooperation").status_code == 200


def test_wrong_password_is_refused_with_401_and_no_session(client: TestClient) -> None:
    r = sign_in(client, "analyst", "not-the-password")
    assert r.status_code == 401
    assert "Wrong user name or password." in r.text
    assert client.get("/").status_code == 303


def test_sign_in_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/signin")
    r = client.post("/signin", data={"username": "analyst", "password": "xingtai-analyst-pw"})
    assert r.status_code == 403
    assert "security token" in r.text
    assert client.get("/").status_code == 303


def test_form_from_another_site_is_refused(client: TestClient) -> None:
    token = csrf_of(client.get("/signin").text)
    data = {"username": "analyst", "password": "xingtai-analyst-pw", "csrf_token": token}
    r = client.post("/signin", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


def test_signing_in_issues_a_new_session_and_csrf_token(client: TestClient) -> None:
    before = csrf_of(client.get("/signin").text)
    sign_in(client, "analyst")
    after = csrf_of(client.get("/").text)
    assert before != after


def test_an_expired_session_sends_the_user_to_sign_in_with_a_notice(
    client: TestClient, web_node: Node
) -> None:
    signer = SessionSigner(b"s" * 32)
    old = new_session(1, 60, now=time.time() - 3600)
    client.cookies.set(COOKIE_NAME, signer.sign(old))
    r = client.get("/cases/xingtai-2017")
    assert r.status_code == 303
    assert "expired=1" in r.headers["location"]
    page = client.get(r.headers["location"])
    assert "Your session expired" in page.text


def test_a_forged_session_cookie_is_ignored(client: TestClient) -> None:
    forged = SessionSigner(b"another secret key!!").sign(new_session(1, 600))
    client.cookies.set(COOKIE_NAME, forged)
    assert client.get("/").status_code == 303


def test_after_sign_out_the_old_cookie_no_longer_works(analyst: TestClient) -> None:
    cookie = analyst.cookies.get(COOKIE_NAME)
    token = csrf_of(analyst.get("/").text)
    r = analyst.post("/signout", data={"csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/signin?out=1"
    analyst.cookies.clear()  # only the old cookie, not the anonymous one sign-out set
    analyst.cookies.set(COOKIE_NAME, cookie or "")
    assert analyst.get("/").status_code == 303


def test_sign_out_without_csrf_token_is_refused(analyst: TestClient) -> None:
    assert analyst.post("/signout", data={}).status_code == 403
    assert analyst.get("/").status_code == 200


def test_redirect_after_sign_in_stays_on_this_site(client: TestClient) -> None:
    token = csrf_of(client.get("/signin").text)
    data = {
        "username": "analyst",
        "password": "xingtai-analyst-pw",
        "csrf_token": token,
        "next": "//evil.example/x",
    }
    assert client.post("/signin", data=data).headers["location"] == "/"


def test_pages_carry_security_headers_and_an_http_only_cookie(client: TestClient) -> None:
    r = client.get("/signin")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
