"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test here gets a transactional database (the live server runs in another thread, so it
must see committed rows) restored from the serialized migration data after each flush, so the
seeded councils and care types survive from test to test."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django refuses synchronous database
# calls while a loop is running unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from django.db import connections  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

CHROMIUM = Path(os.environ.get("HOMEWARD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--lang=en-GB",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    """One headless Chromium for the whole session. Never skipped: a missing browser fails."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. The browser journeys need Debian's chromium: "
            "run `apt-get install chromium` (or `bash scripts/ensure-system-deps.sh`). "
            "`playwright install` is not used by this project.",
            pytrace=False,
        )
    # Django keeps database connections in thread-local storage while no event loop runs, but
    # per context once one does, and Playwright leaves its loop running in this thread. Carry
    # the test database's connections across, or the tests would open fresh ones that lack the
    # serialized seed data (and, for in-memory SQLite, are not the live server's).
    with django_db_blocker.unblock():
        carried = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in carried.items():
            setattr(connections._connections, alias, connection)
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _browser_db(transactional_db, django_db_serialized_rollback):
    """A database the live server shares, with the migrations' seed data restored each test."""


@pytest.fixture
def viewport():
    """Override in a test module (or parametrize indirectly) for another screen size."""
    return DESKTOP


# NHS.UK frontend's CSS loads the Frutiger web font from NHS England's asset host (allowed by the
# content security policy). Test machines have no route there, so each context answers those
# requests itself with an empty response and pages fall back to Arial. Anything else on the
# console or network fails a journey.
FONT_HOST = "https://assets.nhs.uk/**"
KNOWN_PROBLEMS = re.compile(r"assets\.nhs\.uk/fonts/|Failed to decode downloaded font")


# A static file or page still loading when the page moves on (a form submitted before a script
# finished loading) is cancelled by the browser; that is not a fault of the page. A missing
# file still fails through its 4xx response; a cancelled fetch by a page's own script, and any
# other network failure, is recorded.
NAVIGATED_AWAY = "net::ERR_ABORTED"


def _cancelled_by_moving_on(req) -> bool:
    return req.failure == NAVIGATED_AWAY and ("/static/" in req.url or req.is_navigation_request())


class _Problems(list):
    def append(self, item):
        if not KNOWN_PROBLEMS.search(item):
            super().append(item)


def _watch(page):
    """Record console errors, uncaught exceptions and failed requests on `page.problems`."""
    page.problems = _Problems()
    page.on(
        "console",
        lambda msg: msg.type == "error" and page.problems.append(f"console: {msg.text}"),
    )
    page.on("pageerror", lambda exc: page.problems.append(f"page error: {exc}"))
    page.on(
        "requestfailed",
        lambda req: (
            not _cancelled_by_moving_on(req)
            and page.problems.append(f"request failed: {req.url} ({req.failure})")
        ),
    )
    page.on(
        "response",
        lambda res: (
            res.status >= 400
            and "/static/" in res.url
            and page.problems.append(f"{res.status} {res.url}")
        ),
    )
    return page


@pytest.fixture
def new_page(browser):
    """A factory of pages, each in its own browser context (its own cookies and session)."""
    contexts = []

    def open_page(size=None):
        context = browser.new_context(viewport=size or DESKTOP, locale="en-GB")
        context.set_default_timeout(10_000)
        context.route(FONT_HOST, lambda route: route.fulfill(status=204, body=b""))
        contexts.append(context)
        return _watch(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page, viewport):
    """A fresh page in a new browser context at the `viewport` size."""
    return new_page(viewport)


def sign_in(page, live_server, username: str, password: str = PASSWORD):
    """Sign in through the real login page and wait for the home page."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="What do you need to do?")).to_be_visible()
    return page


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot to test-results/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


_A11Y_CHECKS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("<html> has no lang");
  if (!document.title.trim()) problems.push("empty <title>");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} <h1> elements`);
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!el.labels.length && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      problems.push(`form field without a label: ${el.outerHTML.slice(0, 120)}`);
  }
  const seen = new Map();
  for (const el of document.querySelectorAll("[id]")) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" used ${n} times`);
  for (const img of document.querySelectorAll("img:not([alt])")) problems.push(`img without alt`);
  for (const el of document.querySelectorAll("a[href], button")) {
    // innerText is empty inside a closed <details>; textContent still names the control.
    const name = (el.innerText || el.textContent || "").trim() || el.getAttribute("aria-label")
      || el.querySelector("svg title")?.textContent || el.querySelector("img[alt]")?.alt;
    if (!name) problems.push(`unnamed ${el.tagName.toLowerCase()}: ${el.outerHTML.slice(0, 120)}`);
  }
  return problems;
}"""


def a11y_problems(page) -> list[str]:
    """A cheap accessibility smoke check (no axe-core here): language, one h1, labelled fields,
    unique ids, image alternatives and named links and buttons."""
    return page.evaluate(_A11Y_CHECKS)


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list[str]:
    """Run axe-core (the npm dev dependency) on the page: its WCAG 2.x A and AA rules and
    best practices. Returns one line per violation: rule, impact and the first few elements."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make setup`", pytrace=False)
    # Evaluated through the DevTools protocol rather than injected as a <script> tag
    # (page.add_script_tag), which the content security policy rightly refuses.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} - "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:3])
        for v in result["violations"]
    ]


def follow_nav(page, name: str) -> None:
    """Follow a header link, opening the header's "More" menu first where a narrow screen has
    folded the link into it (the header's script does that on the load event)."""
    page.wait_for_load_state()
    links = page.get_by_role("navigation").get_by_role("link", name=name, exact=True)
    if links.filter(visible=True).count() == 0:
        page.get_by_role("button", name="More").click()
    links.filter(visible=True).first.click()


def assert_fits_screen(page) -> None:
    """The page needs no sideways scrolling on its screen. Measured once it has loaded and its
    scripts have laid it out: the header folds its links into "More" on the load event, and
    until then a phone-sized page is as wide as the unfolded header."""
    width = page.viewport_size["width"]
    page.wait_for_load_state()
    try:
        page.wait_for_function(
            "w => document.documentElement.scrollWidth <= w", arg=width, timeout=5_000
        )
    except PlaywrightTimeoutError:
        wide = page.evaluate("document.documentElement.scrollWidth")
        raise AssertionError(f"{page.url} is {wide}px wide on a {width}px screen") from None
