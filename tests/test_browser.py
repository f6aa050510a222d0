"""A real browser against the real app: Playwright drives Debian's Chromium headless.

Skipped when /usr/bin/chromium is missing, unless HCCQA_REQUIRE_BROWSER=1 (then it fails).
Set HCCQA_SCREENSHOT=path to save a screenshot of the chat (docs/screenshot.png is made so).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ANSWER_TIMEOUT_MS = 120_000
INJECTION = "<img src=x onerror=alert(1)>"

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.fixture(scope="module")
def page(live_app: str) -> Iterator[Any]:
    """A fresh Chromium page on the live app; every JavaScript dialog is recorded on it."""
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is missing: run `make browser` (apt-get install -y chromium)"
        if os.environ.get("HCCQA_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1400, "height": 1100},
            permissions=["clipboard-read", "clipboard-write"],
        )
        pg = context.new_page()
        pg.dialogs = []  # type: ignore[attr-defined]
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]
        pg.goto(live_app)
        try:
            yield pg
        finally:
            browser.close()


def _ask(page: Any, question: str) -> Any:
    """Type a question, send it, and return the locator of the new assistant turn."""
    answers = page.locator("#hccqa-chat .hccqa-answer")
    before = answers.count()
    box = page.locator("#hccqa-question textarea")
    box.fill(question)
    box.press("Enter")
    answers.nth(before).wait_for(timeout=ANSWER_TIMEOUT_MS)
    return answers.nth(before)


def test_question_shows_citations_sources_and_table_rows(page: Any) -> None:
    answer = _ask(page, "Which growth factor receptors reduce the susceptibility to sorafenib?")
    assert "hccqa-abstain" not in (answer.get_attribute("class") or "")
    marker = answer.locator(".hccqa-cite").first
    assert marker.is_visible()
    assert re.fullmatch(r"\[P\d+\]", marker.inner_text().strip())
    sources = page.locator("#hccqa-sources")
    source = sources.locator(".hccqa-source.hccqa-cited").first
    assert source.is_visible()
    assert source.locator("mark").first.inner_text().strip()  # the supporting sentence
    row = sources.locator("table.hccqa-rows tbody tr").first
    assert row.is_visible()
    assert row.get_attribute("data-row", timeout=1000).startswith("table")


def test_follow_up_in_the_same_chat(page: Any) -> None:
    answer = _ask(page, "Which of them were phase 3 trials?")
    assert answer.is_visible()
    assert "hccqa-error" not in (answer.get_attribute("class") or "")
    assert page.locator("#hccqa-sources table.hccqa-rows tbody tr").first.is_visible()
    assert page.locator("#hccqa-chat .hccqa-question").count() == 2
    assert page.locator("#hccqa-chat .hccqa-latency").count() == 2
    assert "ms" in page.locator("#hccqa-chat .hccqa-latency").last.inner_text()
    shot = os.environ.get("HCCQA_SCREENSHOT")
    if shot:
        page.screenshot(path=shot, full_page=True)


def test_copy_and_download_the_answer_as_markdown(page: Any) -> None:
    page.locator("#hccqa-copy").click()
    page.wait_for_timeout(300)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("**Question:** Which of them were phase 3 trials?")
    assert "### Table rows" in copied
    link = page.locator("#hccqa-download a[download]")
    assert (link.get_attribute("href") or "").startswith("data:text/markdown;")


def test_injection_is_shown_as_text_and_runs_nothing(page: Any) -> None:
    _ask(page, INJECTION)
    shown = page.locator("#hccqa-chat .hccqa-question").last.inner_text()
    assert shown.strip() == INJECTION
    page.wait_for_timeout(500)  # let a broken image's onerror fire, if there were one
    assert page.dialogs == []
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("#hccqa-chat img[src='x']").count() == 0


def test_example_fills_the_box_and_new_chat_clears(page: Any) -> None:
    """Both go through the hardened server: queue calls checked, the chat kept server-side."""
    box = page.locator("#hccqa-question textarea")
    box.fill("")
    page.locator("#hccqa-examples button").nth(1).click()
    page.wait_for_function(
        "() => document.querySelector('#hccqa-question textarea').value.length > 0",
        timeout=10_000,
    )
    assert box.input_value().startswith("Which growth factor receptors")
    assert page.locator("#hccqa-chat .hccqa-question").count() >= 1
    page.locator("#hccqa-clear").click()
    page.locator("#hccqa-chat .hccqa-question").first.wait_for(state="detached", timeout=10_000)
    answer = _ask(page, "What does EMT stand for?")  # a new chat: no earlier turns in it
    assert answer.is_visible()
    assert page.locator("#hccqa-chat .hccqa-question").count() == 1


def test_an_empty_question_says_so_and_adds_no_turn(page: Any) -> None:
    before = page.locator("#hccqa-chat .hccqa-question").count()
    box = page.locator("#hccqa-question textarea")
    box.fill("   ")
    box.press("Enter")
    page.get_by_text("Type a question first").first.wait_for(timeout=10_000)
    assert page.locator("#hccqa-chat .hccqa-question").count() == before
    page.wait_for_function(
        "() => document.querySelector('#hccqa-question textarea').value === ''", timeout=10_000
    )
