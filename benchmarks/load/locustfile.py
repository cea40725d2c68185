"""Board day on saferplaces: a realistic mix of the demo's personas against the production
server (run by benchmarks/load/run.py, which makes the accounts and reads the results).

- officers (4 in 10) on the dashboard and the where-and-when pages of West Lancashire;
- API readers (2 in 10) pulling figures with a personal API token (Power BI, R, Excel);
- coordinators (2 in 10) on casework: the casework index, their panels, their cases;
- analysts (1 in 10) uploading a police.uk month through the imports page and polling
  its status until it finishes, between looks at the imports list;
- board members (1 in 10) on the papers page: one board pack requested per member, its
  status polled, and the ready papers downloaded.

Every simulated user signs in once as its own account (a copy of a demo persona made by
setup_users.py), with the two-factor step when the account may see casework (the demo's
published secret). The server runs SAFERPLACES_ENV=production on plain HTTP on loopback:
each request says X-Forwarded-Proto: https, as the TLS-terminating proxy in front of a
real deployment would, and the client sends the Secure cookies back over loopback.

Each request is named with its kind ("page", "api", "action", "download", "poll") so the
runner can judge pages and API reads separately; every response time is also written, by
kind and with when it was made, to LOAD_TIMES (JSON) when the run ends, for exact
percentiles per kind (over the whole run, and after the warm-up minute).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
from collections import defaultdict
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

ACCOUNTS: list[dict[str, Any]] = json.loads(Path(os.environ["LOAD_ACCOUNTS"]).read_text())
PLACE = os.environ.get("LOAD_PLACE", "west-lancashire")
PERIOD = os.environ.get("LOAD_PERIOD", "2014/15")
SAMPLES = sorted(Path(os.environ["LOAD_SAMPLES"]).glob("*.csv.gz"))
TIMES_OUT = os.environ.get("LOAD_TIMES", "")
PASSWORD = "saferplaces-demo"  # noqa: S105 - the demo's published password
DEMO_SECRET = "SAFERPLACESDEMOTWOFACTORSIGNIN23"  # noqa: S105 - the demo's published secret
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
POLLING = 'hx-trigger="every 1s"'
TIMES: dict[str, list[tuple[float, float]]] = defaultdict(list)
"""Per kind: (when it was made, Unix seconds; response time, ms)."""


def kind_of(name: str) -> str:
    return name.split(":", 1)[0]


@events.request.add_listener
def remember(name: str, response_time: float, exception: Any, **kwargs: Any) -> None:
    """Every response time by kind, with when (failures too: they count against the goal)."""
    TIMES[kind_of(name)].append((round(time.time(), 2), response_time))


@events.quitting.add_listener
def write_times(environment: Any, **kwargs: Any) -> None:
    if TIMES_OUT:
        Path(TIMES_OUT).write_text(json.dumps(TIMES))


def totp(secret: str, at: float) -> str:
    """The six-digit TOTP code (RFC 6238, SHA-1, 30 s) of a base32 secret at time `at`."""
    counter = struct.pack(">Q", int(at // 30))
    mac = hmac.new(base64.b32decode(secret), counter, hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def send_secure_cookies_over_loopback() -> None:
    """The production server marks its cookies Secure; the client sends them back over
    loopback HTTP (requests copies the session's cookies into a new jar with the default
    policy for every request, so the policy itself is told)."""
    DefaultCookiePolicy.return_ok_secure = lambda self, cookie, request: True  # type: ignore[method-assign]


send_secure_cookies_over_loopback()


def take_account(persona: str) -> dict[str, Any]:
    """The next unused account of a persona (each simulated user is its own person)."""
    for account in ACCOUNTS:
        if account["persona"] == persona and not account.get("taken"):
            account["taken"] = True
            return account
    raise RuntimeError(f"no {persona} account left: run.py makes one per simulated user")


class Persona(HttpUser):
    abstract = True
    persona = ""
    wait_time = between(2, 8)  # a person reading a page before the next click

    def on_start(self) -> None:
        self.account = take_account(self.persona)
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "Referer": f"https://{self.origin()}/"}
        )
        if self.persona != "api":
            self.sign_in()

    def origin(self) -> str:
        return (self.host or "").split("://", 1)[-1].rstrip("/")

    def csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else ""

    def sign_in(self) -> None:
        page = self.client.get("/sign-in/", name="action: sign-in form")
        data = {"username": self.account["username"], "password": PASSWORD,
                "csrfmiddlewaretoken": self.csrf(page.text)}  # fmt: skip
        with self.client.post("/sign-in/", data=data, name="action: sign in",
                              catch_response=True) as done:  # fmt: skip
            if "/sign-in/two-factor/" in done.url:
                done.success()
                self.two_factor(done.url, done.text)
            elif "/sign-in/" in done.url:
                done.failure(f"{self.account['username']} was not signed in")

    def two_factor(self, url: str, html: str) -> None:
        """The second step, at the URL the sign-in went on to (it carries ?next=)."""
        data = {"code": totp(DEMO_SECRET, time.time()), "csrfmiddlewaretoken": self.csrf(html)}
        with self.client.post(url, data=data, name="action: two-factor code",
                              catch_response=True) as done:  # fmt: skip
            if "/sign-in/" in done.url:
                done.failure(f"{self.account['username']}: the two-factor code was refused")

    def page(self, path: str, name: str) -> Any:
        return self.client.get(path, name=f"page: {name}")


class Officer(Persona):
    """A community safety officer on the figures for the place."""

    persona = "officer"
    weight = 4

    @task(4)
    def dashboard(self) -> None:
        self.page(f"/places/{PLACE}/dashboard/", "/places/[slug]/dashboard/")

    @task(2)
    def hotspots(self) -> None:
        self.page(f"/places/{PLACE}/hotspots/", "/places/[slug]/hotspots/")

    @task(2)
    def seasons(self) -> None:
        self.page(f"/places/{PLACE}/seasons/", "/places/[slug]/seasons/")

    @task(1)
    def near_repeats(self) -> None:
        self.page(f"/places/{PLACE}/near-repeats/", "/places/[slug]/near-repeats/")

    @task(1)
    def family(self) -> None:
        self.page(f"/places/{PLACE}/family/", "/places/[slug]/family/")

    @task(2)
    def place(self) -> None:
        self.page(f"/places/{PLACE}/", "/places/[slug]/")

    @task(1)
    def home(self) -> None:
        self.page("/", "/")

    @task(1)
    def structure(self) -> None:
        self.page(f"/places/{PLACE}/structure/", "/places/[slug]/structure/")


class ApiReader(Persona):
    """An analyst's tool pulling figures and delivery records with a personal API token."""

    persona = "api"
    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.client.headers["Authorization"] = f"Bearer {self.account['token']}"

    def api(self, path: str, name: str) -> None:
        self.client.get(path, name=f"api: {name}")

    @task(3)
    def places(self) -> None:
        self.api(f"/api/places/{PLACE}/", "/api/places/[slug]/")

    @task(3)
    def indicators(self) -> None:
        self.api(f"/api/places/{PLACE}/indicators/?period={PERIOD}",
                 "/api/places/[slug]/indicators/")  # fmt: skip

    @task(1)
    def seasons(self) -> None:
        self.api(f"/api/places/{PLACE}/seasons/?window=october-november",
                 "/api/places/[slug]/seasons/")  # fmt: skip

    @task(1)
    def hotspots(self) -> None:
        self.api(f"/api/places/{PLACE}/hotspots/?period={PERIOD}", "/api/places/[slug]/hotspots/")

    @task(1)
    def place_list(self) -> None:
        self.api("/api/places/?page_size=50", "/api/places/")

    @task(1)
    def groups(self) -> None:
        self.api("/api/groups/", "/api/groups/")

    @task(1)
    def meetings(self) -> None:
        self.api("/api/meetings/", "/api/meetings/")

    @task(1)
    def actions(self) -> None:
        self.api("/api/actions/", "/api/actions/")

    @task(1)
    def delivery(self) -> None:
        path = random.choice(["plans", "initiatives", "funding-streams", "returns"])
        self.api(f"/api/{path}/", f"/api/{path}/")

    @task(1)
    def imports(self) -> None:
        self.api("/api/imports/", "/api/imports/")


class Coordinator(Persona):
    """A panel coordinator on casework: the index, a panel, a case on it."""

    persona = "coordinator"
    weight = 2
    panels: list[str]
    cases: list[str]

    def on_start(self) -> None:
        super().on_start()
        index = self.page("/casework/", "/casework/")
        self.panels = sorted(set(re.findall(r'href="(/casework/panels/[\w-]+/)"', index.text)))
        self.cases = []

    @task(1)
    def index(self) -> None:
        self.page("/casework/", "/casework/")

    @task(2)
    def panel(self) -> None:
        if not self.panels:
            return
        response = self.page(random.choice(self.panels), "/casework/panels/[slug]/")
        found = re.findall(r'href="(/casework/cases/[^"/]+/)"', response.text)
        self.cases = sorted(set(found)) or self.cases

    @task(4)
    def case(self) -> None:
        if self.cases:
            self.page(random.choice(self.cases), "/casework/cases/[reference]/")


class Analyst(Persona):
    """An analyst uploading a police.uk month, then watching it until it finishes."""

    persona = "analyst"
    weight = 1

    @task(3)
    def imports(self) -> None:
        self.page("/imports/", "/imports/")

    @task(1)
    def upload(self) -> None:
        form = self.page("/imports/new/", "/imports/new/")
        sample = random.choice(SAMPLES)
        with sample.open("rb") as fh:
            files = {"uploads": (sample.name, fh, "application/gzip")}
            data = {"kind": "police-uk", "csrfmiddlewaretoken": self.csrf(form.text)}
            done = self.client.post("/imports/new/", data=data, files=files,
                                    name="action: upload a police.uk month")  # fmt: skip
        found = re.search(r"/imports/([0-9a-f-]{36})/", done.url)
        if not found:
            return
        status = done
        deadline = time.monotonic() + 120
        while POLLING in status.text and time.monotonic() < deadline:
            time.sleep(1)  # the page polls every second
            status = self.client.get(f"/imports/{found.group(1)}/", headers={"HX-Request": "true"},
                                     name="poll: /imports/[id]/")  # fmt: skip


class BoardMember(Persona):
    """A board member: the board pack requested once, watched, and downloaded."""

    persona = "board"
    weight = 1
    requested = False

    @task(2)
    def papers(self) -> None:
        listing = self.page(f"/places/{PLACE}/papers/", "/places/[slug]/papers/")
        if not self.requested:
            self.requested = True
            self.request_pack(self.csrf(listing.text))
            return
        links = re.findall(r'href="(/papers/\d+/download/)"', listing.text)
        if links:
            self.client.get(random.choice(links), name="download: /papers/[id]/download/")

    def request_pack(self, token: str) -> None:
        data = {"period": PERIOD, "format": "pdf", "csrfmiddlewaretoken": token}
        self.client.post(f"/places/{PLACE}/papers/new/", data=data,
                         name="action: request the board pack")  # fmt: skip
        deadline = time.monotonic() + 180
        status = self.client.get(f"/places/{PLACE}/papers/", headers={"HX-Request": "true"},
                                 name="poll: /places/[slug]/papers/")  # fmt: skip
        while POLLING in status.text and time.monotonic() < deadline:
            time.sleep(2)
            status = self.client.get(f"/places/{PLACE}/papers/", headers={"HX-Request": "true"},
                                     name="poll: /places/[slug]/papers/")  # fmt: skip

    @task(1)
    def dashboard(self) -> None:
        self.page(f"/places/{PLACE}/dashboard/", "/places/[slug]/dashboard/")
