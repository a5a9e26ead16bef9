"""The web interface in a real browser: sign-in, case, graph, chemistry, cooperation,
failures (wrong password, too many failures, a signed-out cookie, expired session,
missing CSRF token, a case one may not see)
and a referral sent from one live node to another and acknowledged there, an RFI
about it answered and an outcome reported from the receiving node's pages."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from jointprobe.web.session import COOKIE_NAME, SessionSigner, new_session

from .conftest import CN_USERS, US_USERS, shot, sign_in
from .nodes import SECRET, LiveNode

pytestmark = pytest.mark.browser

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def as_analyst(page: Any, nodes: dict[str, LiveNode]) -> LiveNode:
    us = nodes["us"]
    sign_in(page, us, "analyst", US_USERS["analyst"][1])
    page.wait_for_url(f"{us.url}/")
    return us


def test_sign_in_shows_the_dashboard(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = nodes["us"]
    page.goto(f"{us.url}/cases/xingtai-2017")
    page.wait_for_url(re.compile(r"/signin\?next="))
    shot(page, "signin", full=False)
    sign_in(page, us, "analyst", US_USERS["analyst"][1])
    page.wait_for_url(f"{us.url}/")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    assert page.get_by_role("link", name=re.compile("Xingtai")).first.is_visible()
    shot(page, "dashboard")


def test_case_page_shows_timeline_and_markings(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/cases/xingtai-2017")
    assert page.locator(".marking.tlp-amber").first.is_visible()
    assert page.locator("ol.timeline li.event").count() > 10
    assert page.get_by_text("FICTIONAL").first.is_visible()
    shot(page, "case")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"case page scrolls sideways at phone width ({width}px)"
    shot(page, "case-phone", full=False)


def test_graph_expands_a_node_one_hop(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/cases/xingtai-2017/graph?around=xt-diana-phone")
    canvas = page.locator("#graph[data-ready='1']")
    canvas.wait_for()
    before = int(canvas.get_attribute("data-nodes"))
    page.get_by_label("Entity").select_option("xt-diana")
    page.get_by_role("button", name="Expand one hop").click()
    page.locator("#graph-status:has-text('Added')").wait_for(timeout=10_000)
    assert int(canvas.get_attribute("data-nodes")) > before
    page.get_by_role("button", name="Zoom in").click()
    page.get_by_label("Company").uncheck()
    hidden = page.evaluate("window.jointprobeGraph.nodes('.hidden-schema').length")
    assert hidden > 0
    page.get_by_label("Company").check()
    shot(page, "graph")


def test_graph_colours_groups_and_sizes_by_pagerank(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/cases/xingtai-2017/graph")
    page.locator("#graph[data-ready='1']").wait_for()
    groups = page.evaluate(
        "new Set(window.jointprobeGraph.nodes().map(n => n.data('community'))).size"
    )
    assert groups >= 2 and page.locator("#legend li").count() >= 2
    sizes = page.evaluate("window.jointprobeGraph.nodes().map(n => n.width())")
    assert max(sizes) > min(sizes)
    page.get_by_label("Colour by").select_option("schema")
    shot(page, "graph-groups")


def test_chemistry_classifies_a_smiles(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/chemistry")
    page.get_by_label("Structure").fill(FENTANYL)
    page.get_by_role("button", name="Classify").click()
    page.locator(".verdicts").wait_for()
    assert page.locator("article.verdict.controlled").count() == 3
    assert page.locator("img.structure").is_visible()
    shot(page, "chemistry")


def test_cooperation_draws_the_funnel(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/cooperation")
    page.locator("body[data-charts-ready='1']").wait_for()
    assert page.locator("#funnel-chart").is_visible()
    shot(page, "cooperation")


def test_pages_read_without_javascript(browser: Any, nodes: dict[str, LiveNode]) -> None:
    viewport = {"width": 1280, "height": 900}
    context = browser.new_context(java_script_enabled=False, viewport=viewport)
    page = context.new_page()
    try:
        us = as_analyst(page, nodes)
        page.goto(f"{us.url}/cases/xingtai-2017/graph")
        assert page.locator("table.graph-table tbody tr").count() > 20
        assert not page.locator("#graph").is_visible()
        shot(page, "graph-no-javascript", full=False)
    finally:
        context.close()


def test_wrong_password_is_refused(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = nodes["us"]
    sign_in(page, us, "analyst", "not-the-password")
    assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    shot(page, "signin-wrong-password", full=False)
    page.goto(f"{us.url}/")
    assert "/signin" in page.url


def test_repeated_failures_are_refused_even_for_an_unknown_name(
    page: Any, nodes: dict[str, LiveNode]
) -> None:
    us = nodes["us"]
    for _ in range(5):  # JOINTPROBE_SIGNIN_MAX_FAILURES, default
        sign_in(page, us, "mallory", "a guess")
        assert page.get_by_role("alert").inner_text() == "Wrong user name or password."
    sign_in(page, us, "mallory", "another guess")
    alert = page.get_by_role("alert").inner_text()
    assert alert == "Too many failed sign-ins. Try again in 15 minutes."
    shot(page, "signin-throttled", full=False)


def test_a_signed_out_cookie_stays_refused(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    old = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/signin\?out=1"))
    page.context.add_cookies([{"name": COOKIE_NAME, "value": old[0]["value"], "url": us.url}])
    page.goto(f"{us.url}/")
    assert "/signin" in page.url


def test_expired_session_asks_to_sign_in_again(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    expired = new_session(1, 60, now=time.time() - 3600)
    cookie = SessionSigner(SECRET.encode()).sign(expired)
    page.context.add_cookies([{"name": COOKIE_NAME, "value": cookie, "url": us.url}])
    page.goto(f"{us.url}/cases/xingtai-2017")
    assert "/signin" in page.url and "expired=1" in page.url
    assert "Your session expired" in page.get_by_role("status").inner_text()
    shot(page, "signin-expired", full=False)


def test_form_without_csrf_token_is_refused(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = as_analyst(page, nodes)
    page.goto(f"{us.url}/chemistry")
    page.evaluate("document.querySelector('.chem-form input[name=csrf_token]').remove()")
    page.get_by_label("Structure").fill(FENTANYL)
    page.get_by_role("button", name="Classify").click()
    assert page.get_by_role("heading", name="Refused").is_visible()
    assert "security token" in page.get_by_role("alert").inner_text()
    shot(page, "csrf-refused", full=False)


def test_a_case_one_may_not_see_is_not_found(page: Any, nodes: dict[str, LiveNode]) -> None:
    us = nodes["us"]
    sign_in(page, us, "bob", US_USERS["bob"][1])
    page.wait_for_url(f"{us.url}/")
    response = page.goto(f"{us.url}/cases/xingtai-2017")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="Not found").is_visible()
    assert "Liu Yong" not in page.content()
    shot(page, "case-not-found", full=False)


def _reload_until(page: Any, selector: str, seconds: float = 15) -> None:
    """Reload until an element shows up (what another node sends arrives in the background)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.locator(selector).count():
            return
        time.sleep(0.3)
        page.reload()
    raise AssertionError(f"{selector} never appeared on {page.url}")


def test_referral_goes_to_a_live_peer_and_its_ack_comes_back(
    browser: Any, nodes: dict[str, LiveNode]
) -> None:
    us_context = browser.new_context(viewport={"width": 1280, "height": 900})
    cn_context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        for context in (us_context, cn_context):
            context.set_default_timeout(15_000)
        us_page, cn_page = us_context.new_page(), cn_context.new_page()
        us = as_analyst(us_page, nodes)
        us_page.goto(f"{us.url}/cases/xingtai-2017")
        us_page.get_by_role("link", name="Refer from this case").click()
        us_page.get_by_label(re.compile("Hebei Public Security")).check()
        us_page.get_by_label("Title").fill("Vendor 'Diana': telephone contact")
        us_page.get_by_label("Narrative").fill("Online vendor selling fentanyl to US buyers.")
        us_page.get_by_label("Requested action").fill("Identify the subscriber")
        us_page.get_by_label(re.compile("^Selectors")).fill("phone: +86 311 5555 0101")
        us_page.locator("input[name=entity_ids][value='xt-diana']").check()
        shot(us_page, "referral-compose")
        us_page.get_by_role("button", name="Send referral").click()
        us_page.wait_for_url(re.compile(r"/referrals/[^/]+$"))
        referral_url = us_page.url
        referral_id = referral_url.rsplit("/", 1)[1]

        cn = nodes["cn"]
        sign_in(cn_page, cn, "liaison", CN_USERS["liaison"][1])
        cn_page.wait_for_url(f"{cn.url}/")
        _reload_until(cn_page, "table.referrals a:has-text('telephone contact')")
        shot(cn_page, "dashboard-incoming")
        cn_page.goto(f"{cn.url}/referrals/{referral_id}")
        assert "+86 311 5555 0101" in cn_page.content()
        cn_page.get_by_label("Note to the sender").fill("Tracing the number in Xingtai (fictional)")
        cn_page.get_by_role("button", name="Acknowledge and accept").click()
        cn_page.wait_for_url(f"{cn.url}/referrals/{referral_id}")
        assert cn_page.locator("[data-state=accepted]").first.is_visible()
        shot(cn_page, "referral-received")

        us_page.goto(referral_url)
        _reload_until(us_page, "[data-state=accepted]")
        assert "Tracing the number in Xingtai" in us_page.content()
        shot(us_page, "referral-acknowledged")

        # US asks about the referral; CN answers the RFI and reports an outcome
        us_page.get_by_label("Question").fill("Which carrier serves the number? (fictional)")
        with us_page.expect_navigation():
            us_page.get_by_role("button", name="Send request for information").click()
        assert us_page.locator("#rfis li:has-text('Which carrier')").is_visible()
        cn_page.goto(f"{cn.url}/referrals/{referral_id}")
        _reload_until(cn_page, "#rfis a:has-text('Which carrier')")
        cn_page.locator("#rfis a:has-text('Which carrier')").click()
        assert cn_page.locator("p.meta a:has-text('telephone contact')").is_visible()
        cn_page.get_by_label("Answer", exact=True).fill("China Mobile, Hebei branch (fictional)")
        with cn_page.expect_navigation():
            cn_page.get_by_role("button", name="Send answer").click()
        assert cn_page.get_by_text("Answered.").is_visible()
        shot(cn_page, "rfi-answered")
        cn_page.goto(f"{cn.url}/referrals/{referral_id}")
        cn_page.get_by_label("Outcome", exact=True).select_option("seizure")
        seized = "2.5 kg of 4-ANPP seized at the vendor's depot (fictional)"
        cn_page.get_by_label("Description").fill(seized)
        cn_page.get_by_label("Quantity").fill("2.5")
        cn_page.get_by_label("Unit").fill("kg")
        with cn_page.expect_navigation():
            cn_page.get_by_role("button", name="Report outcome").click()
        assert cn_page.locator("tr[data-outcome=seizure]").is_visible()

        us_page.goto(referral_url)
        _reload_until(us_page, "tr[data-outcome=seizure]")
        _reload_until(us_page, "li.answer-text:has-text('China Mobile')")
        assert us_page.locator("tr[data-outcome=seizure] [data-tlp=AMBER]").is_visible()
        shot(us_page, "referral-outcome")
    finally:
        us_context.close()
        cn_context.close()
