"""The report in a real browser: headless Chromium (Debian's ``chromium`` package) driven over
the DevTools protocol with tornado's websocket client (already in the lock).

Checks that every image loads, that no request leaves the machine (only file: and data: URLs),
that the console shows no error, that on a 390 px phone screen the page itself does not scroll
sideways (tables scroll inside their own box) and a tapped figure opens at full size; takes
screenshots at 1366 px and 390 px wide into the test's tmp dir (and, when the folder
``PARENTGROUP_SCREENSHOTS`` names exists, a copy there for people to look at).

Skipped, saying why, where Chromium is not installed (``apt-get install chromium`` on
Debian/Ubuntu); the .ci script installs it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_report_formats import FIXTURE, render_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") \
    or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (Debian/Ubuntu: apt-get install chromium); "
           "the browser checks of the report are skipped")

#: Flags for a browser that makes no connection of its own (no updates, sync, metrics).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]


class Browser:
    """One headless Chromium page, with the events it reported."""

    def __init__(self, profile: Path):
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.is_file() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                pytest.fail("Chromium did not start its DevTools endpoint")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        pages = []
        while not pages and time.monotonic() < deadline:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
                pages = [t for t in json.load(response) if t["type"] == "page"]
            time.sleep(0.1)
        self.ws_url = pages[0]["webSocketDebuggerUrl"]
        self.events: list[dict] = []

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()

    async def session(self):
        from tornado.websocket import websocket_connect

        return _Session(await websocket_connect(self.ws_url, max_message_size=256 * 2**20),
                        self.events)


class _Session:
    def __init__(self, connection, events):
        self.connection, self.events, self.next_id = connection, events, 0

    async def call(self, method: str, **params):
        self.next_id += 1
        ident = self.next_id
        await self.connection.write_message(json.dumps({"id": ident, "method": method,
                                                        "params": params}))
        while True:
            message = await asyncio.wait_for(self.connection.read_message(), 120)
            if message is None:
                raise RuntimeError("DevTools connection closed")
            data = json.loads(message)
            if data.get("id") == ident:
                if "error" in data:
                    raise RuntimeError(f"{method}: {data['error']}")
                return data.get("result", {})
            self.events.append(data)

    async def wait_for(self, event: str, timeout: float = 120):
        if any(e.get("method") == event for e in self.events):
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = await asyncio.wait_for(self.connection.read_message(), timeout)
            data = json.loads(message)
            self.events.append(data)
            if data.get("method") == event:
                return
        raise TimeoutError(event)

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                                 awaitPromise=True)
        return result["result"].get("value")

    async def screenshot(self, path: Path, width: int, height: int) -> None:
        await self.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                        deviceScaleFactor=1, mobile=width < 600)
        await asyncio.sleep(0.3)
        shot = await self.call("Page.captureScreenshot", format="png")  # the viewport
        path.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def browser_run(tmp_path_factory):
    """Open the fixture report at 1366 px and 390 px; collect what the browser saw."""
    out = tmp_path_factory.mktemp("browser")
    html_path = render_site(FIXTURE, out)
    browser = Browser(out / "profile")
    results: dict = {"dir": out}

    async def run():
        page = await browser.session()
        for domain in ("Page", "Network", "Runtime", "Log"):
            await page.call(f"{domain}.enable")
        await page.call("Emulation.setDeviceMetricsOverride", width=1366, height=900,
                        deviceScaleFactor=1, mobile=False)
        await page.call("Page.navigate", url=html_path.as_uri())
        await page.wait_for("Page.loadEventFired")
        results["images"] = await page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt])")
        await page.screenshot(out / "report-1366.png", 1366, 1800)
        await page.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                        deviceScaleFactor=1, mobile=True)
        await asyncio.sleep(0.3)
        results["phone_overflow"] = await page.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth")
        results["scrolling_tables"] = await page.evaluate(
            "Array.from(document.querySelectorAll('.table-scroll')).filter("
            "b => b.scrollWidth > b.clientWidth && getComputedStyle(b).overflowX == 'auto')"
            ".length")
        await page.screenshot(out / "report-390.png", 390, 844)
        await page.evaluate("document.getElementById('table-outcomes').scrollIntoView()")
        await page.screenshot(out / "report-390-table.png", 390, 844)
        results["table_view"] = await page.evaluate("window.scrollY")
        results["zoomed"] = await page.evaluate(
            "(() => { const box = document.querySelector('input.zoom');"
            " box.nextElementSibling.click();"
            " const label = box.nextElementSibling, img = label.querySelector('img');"
            " return [box.checked, getComputedStyle(label).position,"
            " img.getBoundingClientRect().width, img.naturalWidth]; })()")
        await page.screenshot(out / "report-390-figure.png", 390, 844)
        await asyncio.sleep(0.5)
        await page.evaluate("1")  # collect the events that arrived meanwhile

    try:
        asyncio.run(run())
    finally:
        browser.close()
    results["events"] = browser.events
    copy_to = os.environ.get("PARENTGROUP_SCREENSHOTS")
    if copy_to and Path(copy_to).is_dir():
        for name in ("report-1366.png", "report-390.png", "report-390-table.png",
                     "report-390-figure.png"):
            shutil.copyfile(out / name, Path(copy_to) / name)
    return results


def test_every_image_loads(browser_run):
    images = browser_run["images"]
    assert len(images) == 5
    assert all(complete and width > 0 for complete, width, _alt in images), images
    assert all(alt for _c, _w, alt in images)


def test_no_request_leaves_the_machine(browser_run):
    urls = [e["params"]["request"]["url"] for e in browser_run["events"]
            if e.get("method") == "Network.requestWillBeSent"]
    assert urls, "the browser reported no request at all: the check would pass vacuously"
    outside = [u[:80] for u in urls if not u.startswith(("file:", "data:"))]
    assert outside == []


def test_no_console_error(browser_run):
    errors = []
    for event in browser_run["events"]:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            errors.append(params["exceptionDetails"].get("text"))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            errors.append(str(params.get("args"))[:200])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            errors.append(params["entry"].get("text"))
    assert errors == []


def test_phone_layout_scrolls_tables_in_their_box_and_opens_figures(browser_run):
    assert browser_run["phone_overflow"] <= 0  # the page itself never scrolls sideways
    assert browser_run["scrolling_tables"] >= 1  # the wide tables scroll inside their box
    checked, position, shown_width, natural_width = browser_run["zoomed"]
    assert checked and position == "fixed"
    assert shown_width == natural_width  # the tapped figure at full size


def test_screenshots_are_taken_at_both_widths(browser_run):
    from PIL import Image

    for name, width in (("report-1366.png", 1366), ("report-390.png", 390)):
        with Image.open(browser_run["dir"] / name) as image:
            assert image.size[0] == width
            # not a blank page: more than ten grey levels in use (histogram: no deprecated
            # getdata, which Pillow 14 removes)
            assert sum(1 for count in image.convert("L").histogram() if count) > 10
