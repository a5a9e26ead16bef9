"""Browser tests: Debian's chromium through Playwright against real `jointprobe serve` nodes.

Skipped, with the reason shown, where /usr/bin/chromium or the vendored browser
libraries (``src/jointprobe/web/frontend/vendor.sh``) are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jointprobe.web.pages import static_dir

from .nodes import LiveNode, add_users, prepare, trust_each_other

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
US_USERS = {
    "analyst": ("analyst", "xingtai-analyst-pw"),
    "bob": ("analyst", "bob-has-no-case-pw"),
}
CN_USERS = {"liaison": ("liaison", "hebei-liaison-pw")}

if not CHROMIUM.exists():
    pytest.skip(
        "browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
        allow_module_level=True,
    )
if not (static_dir() / "vendor" / "cytoscape.esm.min.js").exists():
    pytest.skip(
        "browser tests need the vendored libraries: sh src/jointprobe/web/frontend/vendor.sh",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveNode]]:
    """Two live nodes that trust each other: US (Xingtai case) and CN."""
    base = tmp_path_factory.mktemp("e2e")
    us, us_node = prepare(base, "us-hsi-nola", "HSI New Orleans", "US")
    cn, cn_node = prepare(base, "cn-hebei-psb", "Hebei Public Security", "CN")
    add_users(us_node, US_USERS, xingtai_for="analyst")
    add_users(cn_node, CN_USERS)
    trust_each_other(us_node, cn_node)
    us_node.close()
    cn_node.close()
    started: list[LiveNode] = []
    try:
        for live in (us, cn):
            live.start(base / f"{live.node_id}.log")
            started.append(live)
        yield {"us": us, "cn": cn}
    finally:
        for live in started:
            live.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def shot(page: Any, name: str, full: bool = True) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full)


def sign_in(page: Any, node: LiveNode, username: str, password: str) -> None:
    page.goto(f"{node.url}/signin")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
