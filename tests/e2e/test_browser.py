"""The service hall and the office console in a real headless Chromium (Debian's, which .ci/run
installs when missing): a unit agent signs in, files a retirement and sees it pending; an office
accepts, approves and completes it in its console; the unit agent sees it completed and the
roster changed. A unit agent never sees another unit's person by any URL.

With CANBAO_SCREENSHOTS=DIR the three main pages are saved there (docs/ holds the last ones)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from ledger_api.auth import Principal
from tests.e2e.client import token_for
from tests.e2e.hall import AGENT, GULOU, RETIREE, STRANGER, hall_server
from tests.support.builders import EMPLOYER_2

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package", pytrace=False)
    pytest.skip("no Chromium here (apt-get install chromium; CI installs it)", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402 — only with a browser to drive

SHOTS = os.environ.get("CANBAO_SCREENSHOTS")


@pytest.fixture(scope="module")
def site(server_conninfo):
    with hall_server(server_conninfo, "canbao_browser") as base:
        yield base


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def signed_in(chromium, site: str, who: Principal) -> Page:
    page = chromium.new_context(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(f"{site}/ui/")
    page.get_by_label("令牌（token）").fill(token_for(who))
    page.keyboard.press("Enter")  # usable with the keyboard alone
    page.wait_for_selector("text=退出")
    return page


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / name), full_page=True)


def until(page: Page, text: str, url: str) -> None:
    """Reload until `text` shows (read models follow the log in the background)."""
    for _ in range(50):
        page.goto(url)
        if text in page.content():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{text!r} never showed at {url}")


def test_a_retirement_filed_in_the_hall_is_carried_through_in_the_console(chromium, site):
    hall = signed_in(chromium, site, AGENT)
    until(hall, RETIREE, f"{site}/ui/")
    hall.select_option("select[name=command]", "Retire")
    hall.fill("input[name=id_number]", RETIREE)
    hall.fill("input[name=effective]", "2026-12-01")
    for n, upload in enumerate(hall.locator("input[type=file]").all()):
        upload.set_input_files(files=[{"name": f"材料{n}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
    hall.get_by_role("button", name="提交申报").click()
    hall.wait_for_selector("text=已提交，等待医保经办机构审核")
    until(hall, "<td>申请</td>", f"{site}/ui/")  # pending: listed at its first stage, 申请
    assert "1101 在职职工" in hall.content(), "and the person still in service on the roster"
    shot(hall, "ui-unit-hall.png")

    console = signed_in(chromium, site, GULOU)
    for label in ("受理", "审核通过", "办结"):
        until(console, f">{label}</button>", f"{site}/ui/")
        if label == "受理":
            shot(console, "ui-office-console.png")
        console.get_by_role("button", name=label, exact=True).first.click()
        console.wait_for_selector("text=已办理")

    until(hall, "<td>办结</td>", f"{site}/ui/")
    until(hall, "退休", f"{site}/ui/?as_of=2026-12-07")  # the roster: a retired person type now

    person = signed_in(chromium, site, GULOU)
    person.goto(f"{site}/ui/person?id={RETIREE}")
    assert person.locator("svg").count() == 1 and "CompleteRequest" in person.content()
    shot(person, "ui-person-history.png")


def test_a_unit_agent_never_sees_another_units_person_by_any_url(chromium, site):
    hall = signed_in(chromium, site, AGENT)
    for url in (f"/ui/person?id={STRANGER}", f"/ui/person?id={STRANGER.lower()}",
                f"/ui/person?id={STRANGER[:6]}{STRANGER[8:17]}", f"/ui/?as_of=2026-12-07&unit={EMPLOYER_2}"):
        hall.goto(site + url)
        assert STRANGER not in hall.content() and "<svg" not in hall.content(), url
