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


class AccessibilityAudit:
    """Runs axe-core (from the axe-playwright-python package) on pages and keeps serious findings."""

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

    def assert_clean(self) -> None:
        assert self.visited, "no page was checked"
        assert not self.problems, "serious accessibility problems:\n" + "\n".join(self.problems)
