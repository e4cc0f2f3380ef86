"""Real-browser support for the journey tests: Debian's Chromium driven by Playwright.

Chromium comes from the system (`apt-get install chromium`, done by .ci/run when missing);
Playwright never downloads a browser here. Without Chromium or Playwright the journeys are
skipped with a message saying how to enable them; everything else in the suite still runs.
"""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 360, "height": 640}
SCREENSHOTS = Path(os.environ.get("TEST_OUTPUT_DIR", "test-output")) / "screenshots"
ENABLE_HINT = ("browser journeys need Chromium and Playwright: `apt-get install chromium` "
               "and `pip install -r requirements-dev.txt` (.ci/run installs Chromium when missing)")
SERIOUS = {"serious", "critical"}


def launch_chromium():
    """(playwright, browser) for the system Chromium, or skip the calling test."""
    if not Path(CHROMIUM).exists():
        pytest.skip(ENABLE_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip(ENABLE_HINT)
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    return playwright, browser


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/ for people to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# When the page scrolls sideways, the outermost elements that stick out (for the message).
_TOO_WIDE = """() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) { return []; }
    const over = [...document.querySelectorAll("body *")].filter(el => el.getBoundingClientRect().right > width + 0.5);
    const outermost = over.filter(el => !over.includes(el.parentElement));
    return outermost.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
                                           + ": " + (el.textContent || "").trim().slice(0, 40));
}"""


class AccessibilityAudit:
    """Runs axe-core (from the axe-playwright-python package) on pages and keeps serious findings,
    plus the reflow rule at the phone's width (WCAG 1.4.10): nothing may stick out sideways."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self._axe = Axe()
        self.visited: list[str] = []
        self.problems: list[str] = []

    def check(self, page) -> None:
        results = self._axe.run(page)
        self.visited.append(page.url)
        for violation in results.response.get("violations", []):
            if violation.get("impact") in SERIOUS:
                targets = [node.get("target") for node in violation.get("nodes", [])][:5]
                self.problems.append(f"{page.url}: {violation['id']} ({violation['impact']}): "
                                     f"{violation.get('help')} at {targets}")
        too_wide = page.evaluate(_TOO_WIDE)
        if too_wide:
            self.problems.append(f"{page.url}: wider than the screen: {too_wide}")

    def assert_clean(self) -> None:
        assert self.visited, "no page was checked"
        assert not self.problems, "serious accessibility problems:\n" + "\n".join(self.problems)


# ---- steps every journey takes -------------------------------------------------------------------

def open_menu_link(page, name: str) -> None:
    """Open the header's menu (a <details>) and follow one of its links."""
    page.locator("details.menu summary").click()
    page.locator("details.menu nav").get_by_role("link", name=name, exact=True).click()


def log_in(page, base_url: str, email: str, axe=None, password: str | None = None) -> None:
    """From the home page, through the menu's log-in link and form (in Indonesian)."""
    from playwright.sync_api import expect

    from tests import factories

    page.goto(base_url + "/")
    open_menu_link(page, "Masuk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk")
    if axe is not None:
        axe.check(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Kata sandi", exact=True).fill(password or factories.PASSWORD)
    page.get_by_role("button", name="Masuk", exact=True).click()
    expect(page.locator(".flashes")).to_contain_text("Selamat datang kembali")


def loaded_width(image) -> int:
    """The decoded width of an <img> (0 while not loaded or when the file is broken)."""
    from playwright.sync_api import expect

    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    return image.evaluate("img => img.naturalWidth")
