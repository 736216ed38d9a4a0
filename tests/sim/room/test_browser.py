"""Three teams play a turn in a real headless browser (Debian's chromium through Playwright).

Each team joins by code on its own browser context, submits (Seoul revises), the facilitator
resolves from the facilitator page, and each browser shows its own cards and never another
team's. Screenshots of a phone-sized (390x844) and a laptop view are written to the test's
folder (and copied to ``$TRILAT_SHOTS_DIR`` when set). Without chromium the test fails, unless
``TRILAT_ALLOW_NO_BROWSER=1`` (then it is skipped): CI installs it (``make browser``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sim.room.host import Host
from tests.sim.room.helpers import TEAMS, make_room

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
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("TRILAT_ALLOW_NO_BROWSER") == "1":
            pytest.skip("no /usr/bin/chromium (allowed by TRILAT_ALLOW_NO_BROWSER=1)")
        pytest.fail("no /usr/bin/chromium: run `make browser` (or set TRILAT_ALLOW_NO_BROWSER=1 to skip)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def hosted(tmp_path):
    room = make_room(tmp_path / "saves", shadows=8)
    host = Host(room, port=0)
    host.start()
    yield room, host
    host.stop()


def _join(browser, host, team, viewport, mobile):
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(host.join_url)
    page.locator(f"button[data-team={team}]").click()
    page.locator("#cards .card").first.wait_for()
    return page


def _card_ids(page):
    return page.locator("#cards input[data-card]").evaluate_all("nodes => nodes.map(n => n.value)")


def _check(page, card_id):
    page.locator(f"input[data-card={card_id}]").check()


def _titles(room, team):
    return {card.title for card in room.match.cards(team)}


def _shots_out(paths):
    target = os.environ.get("TRILAT_SHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for path in paths:
            shutil.copy(path, Path(target) / path.name)


def test_three_teams_join_submit_revise_and_resolve(browser, hosted, tmp_path):
    room, host = hosted
    pages = {
        "USA": _join(browser, host, "USA", LAPTOP, False),
        "ROK": _join(browser, host, "ROK", PHONE, True),
        "JPN": _join(browser, host, "JPN", PHONE, True),
    }
    for team, page in pages.items():
        assert _card_ids(page) == [card.id for card in room.match.cards(team)]
        text = page.locator("body").inner_text()
        for other in TEAMS:
            if other != team:
                assert not {title for title in _titles(room, other) if title in text}, (team, other)
        assert room.match.team_name(team) in page.locator("#team-name").inner_text()

    _check(pages["USA"], "engage_both_camps")
    pages["USA"].locator("#submit").click()
    _check(pages["ROK"], "missile_warning_sharing")
    pages["ROK"].locator("#submit").click()
    pages["JPN"].locator("#submit").click()  # no card: the team passes
    for page in pages.values():
        page.get_by_text("Move submitted").wait_for()
    # Seoul changes its mind before the turn is played.
    pages["ROK"].locator("input[data-card=missile_warning_sharing]").uncheck()
    _check(pages["ROK"], "pragmatic_tokyo_agenda")
    assert pages["ROK"].locator("#submit").inner_text() == "Change my move"
    pages["ROK"].locator("#submit").click()
    pages["ROK"].locator("#submit", has_text="Submitted").wait_for()
    with room.lock:
        assert room.match.submitted() == {
            "USA": ["engage_both_camps"],
            "ROK": ["pragmatic_tokyo_agenda"],
            "JPN": [],
        }
    pages["USA"].locator("#teams", has_text="Republic of Korea: submitted").wait_for()
    usa_text = pages["USA"].locator("body").inner_text()
    assert room.match.card("ROK", "pragmatic_tokyo_agenda").title not in usa_text

    shots = [tmp_path / "team-phone.png", tmp_path / "team-phone-full.png", tmp_path / "team-laptop.png"]
    for page in pages.values():
        page.evaluate("window.scrollTo(0, 0)")
    pages["ROK"].screenshot(path=str(shots[0]))
    pages["ROK"].screenshot(path=str(shots[1]), full_page=True)
    pages["USA"].screenshot(path=str(shots[2]))

    facilitator = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    facilitator.set_default_timeout(TIMEOUT_MS)
    facilitator.goto(host.facilitator_url)
    facilitator.locator("#f-teams li[data-team=ROK]", has_text="submitted").wait_for()
    facilitator.locator("#f-resolve").click()
    for team, page in pages.items():
        page.locator("#quarter", has_text="turn 2 of 4").wait_for()
        assert _card_ids(page) == [card.id for card in room.match.cards(team)]
        assert page.locator("#news li").count() >= 1
        assert "Choose your cards" in page.locator("#status").inner_text()
    assert room.match.turn == 1
    pages["ROK"].evaluate("window.scrollTo(0, 0)")
    shots.append(tmp_path / "team-phone-after.png")
    pages["ROK"].screenshot(path=str(shots[-1]), full_page=True)
    shots.append(tmp_path / "facilitator-phone.png")
    facilitator.screenshot(path=str(shots[-1]))
    for shot in shots:
        assert shot.stat().st_size > 5_000
    _shots_out(shots)


def test_a_second_device_joins_by_the_team_link_and_a_dropped_one_rejoins(browser, hosted):
    room, host = hosted
    first = _join(browser, host, "JPN", PHONE, True)
    first.locator("#add-device summary").click()
    link = first.locator("#team-link").input_value()
    assert link.startswith(host.url) and "#t=" in link
    assert first.locator("#team-qr svg").count() == 1
    second = browser.new_context(viewport=PHONE, is_mobile=True).new_page()
    second.set_default_timeout(TIMEOUT_MS)
    second.goto(link)
    second.locator("#cards .card").first.wait_for()
    assert "#t=" not in second.url  # the token leaves the address bar
    second.locator("[data-card-box=youth_exchanges] .say").click()  # a tap anywhere on a card ticks it
    assert second.locator("input[data-card=youth_exchanges]").is_checked()
    second.locator("#submit").click()
    first.locator("#status", has_text="Move submitted").wait_for()
    assert first.locator("input[data-card=youth_exchanges]").is_checked()
    # A dropped device (page closed, reopened later) is still on its team.
    first.reload()
    first.locator("#status", has_text="Move submitted").wait_for()
    # Another browser cannot take the team by the join code.
    stranger = browser.new_context(viewport=PHONE).new_page()
    stranger.goto(host.join_url)
    assert stranger.locator("button[data-team=JPN]").is_disabled()
    # The facilitator signs the team out (a wrong group took it): its devices go back to the join screen.
    facilitator = browser.new_context(viewport=PHONE).new_page()
    facilitator.set_default_timeout(TIMEOUT_MS)
    facilitator.on("dialog", lambda dialog: dialog.accept())
    facilitator.goto(host.facilitator_url)
    facilitator.locator("#f-teams li[data-team=JPN] button", has_text="Sign out").click()
    first.locator("#join").wait_for()
    assert room.team_for(link.split("#t=")[1]) is None
    stranger.reload()
    stranger.locator("button[data-team=JPN]").click()
    stranger.locator("#cards .card").first.wait_for()
    assert room.tokens.get("JPN")
