# Copyright 2026 ros2_rtgraph developers
# SPDX-License-Identifier: Apache-2.0
"""
Headless Chromium for the browser tests and ``bench/browser_fps.py``, through Playwright.

The browser is Debian's ``/usr/bin/chromium`` (``make sysdeps`` installs it), never one that
Playwright downloads; each launch gets a fresh profile directory and flags that stop
Chromium's own background traffic, so every request seen comes from the page.
:class:`PageWatch` records what a page did that a test must hold it to: console errors,
uncaught errors, dialogs (an injected ``alert`` would open one) and every request URL.
"""

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
import os
from pathlib import Path
import tempfile
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Dialog
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page
from playwright.sync_api import Request
from playwright.sync_api import sync_playwright
from ros_helpers import wait_until

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = (
    '--no-sandbox',  # the test user may lack the namespaces Chromium's sandbox needs
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-quic',
    '--disable-sync',
)
LAPTOP = {'width': 1280, 'height': 800}
PHONE = {'width': 360, 'height': 740}
#: The phone most viewers carry (the issues' 390 px).
PHONE_390 = {'width': 390, 'height': 844}
#: Milliseconds a Playwright call may wait (the CPU is shared with the bridge and publishers).
TIMEOUT_MS = 30_000
#: Seconds a test waits for a condition in the page (:func:`wait_state`).
WAIT_S = TIMEOUT_MS / 1000
REPO = Path(__file__).resolve().parents[1]


def artifacts_dir() -> Path:
    """Return the folder for screenshots: ``$RTGRAPH_ARTIFACTS`` or ``test-artifacts/``."""
    path = Path(os.environ.get('RTGRAPH_ARTIFACTS') or REPO / 'test-artifacts')
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def chromium(*extra_args: str) -> Iterator[BrowserContext]:
    """
    Launch headless Chromium with a fresh profile; yield its (only) browser context.

    :param extra_args: command-line flags after :data:`CHROMIUM_ARGS`, e.g. a
        ``--host-resolver-rules=...`` that maps a test's host names to loopback.
    """
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f'{CHROMIUM} is missing: run `make sysdeps` (apt-get install chromium)')
    with tempfile.TemporaryDirectory(prefix='rtgraph-chromium-') as profile, \
            sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *extra_args],
            viewport=LAPTOP)
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


def origin_of(url: str) -> str:
    """Return ``scheme://host:port`` of a URL."""
    parts = urlsplit(url)
    return f'{parts.scheme}://{parts.netloc}'


class PageWatch:
    """What one page did: console errors, page errors, dialogs and requests."""

    def __init__(self, page: Page):
        """
        Start listening on ``page``.

        :param page: a page that has not navigated yet.
        """
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        page.on('console', self._console)
        page.on('pageerror', self._page_error)
        page.on('dialog', self._dialog)
        page.on('request', self._request)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == 'error':
            self.errors.append(f'console: {message.text} at {message.location}')

    def _page_error(self, error: PlaywrightError) -> None:
        self.errors.append(f'pageerror: {error}')

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f'{dialog.type}: {dialog.message}')
        dialog.dismiss()

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def check(self, origin: str, tolerate: Callable[[str], bool] = lambda error: False) -> None:
        """
        Fail on any error or dialog, or on a request that left ``origin``.

        :param origin: the bridge's ``scheme://host:port``.
        :param tolerate: returns True for an error a test causes on purpose.
        """
        errors = [error for error in self.errors if not tolerate(error)]
        assert not errors, 'the page logged errors:\n' + '\n'.join(errors)
        assert not self.dialogs, f'the page opened dialogs: {self.dialogs}'
        assert self.requests, 'the page made no requests at all'
        foreign = [url for url in self.requests if origin_of(url) != origin]
        assert not foreign, f'requests outside {origin}: {foreign}'


@contextmanager
def watched_page(context: BrowserContext, url: str, viewport: dict | None = None,
                 tolerate: Callable[[str], bool] = lambda error: False
                 ) -> Iterator[tuple[Page, PageWatch]]:
    """
    Open ``url`` in a new page; on leaving, check the page with :meth:`PageWatch.check`.

    :param context: from :func:`chromium`.
    :param url: the page to load.
    :param viewport: e.g. :data:`PHONE`; default :data:`LAPTOP`.
    :param tolerate: see :meth:`PageWatch.check`.
    """
    page = context.new_page()
    page.set_viewport_size(viewport or LAPTOP)
    watch = PageWatch(page)
    try:
        page.goto(url)
        yield page, watch
        watch.check(origin_of(url), tolerate)
    finally:
        page.close()


def page_state(page: Page) -> dict:
    """Return the page's read-only report ``window.rtgraph.state()``."""
    return page.evaluate('window.rtgraph.state()')


def state_holds(page: Page, expression: str) -> bool:
    """Return whether a JS expression over ``s = window.rtgraph.state()`` is true now."""
    # Before the first meta event the page has no charts yet: a TypeError means "not yet".
    return page.evaluate(
        f'() => {{ const s = window.rtgraph.state(); '
        f'try {{ return Boolean({expression}); }} catch (e) {{ return false; }} }}')


def wait_state(page: Page, expression: str, timeout: float = WAIT_S) -> None:
    """
    Wait until a JS expression over ``s = window.rtgraph.state()`` is true.

    Polled from here: Playwright's in-page polling of a predicate needs ``eval``, which the
    page's Content-Security-Policy rightly forbids; ``page.evaluate`` goes through DevTools.
    """
    wait_until(lambda: state_holds(page, expression), timeout, interval=0.1, what=expression)
