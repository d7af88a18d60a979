"""Locust's side of the load test: who visits Tandem and what they do.

Started by ``bench/load/run.py``, which prepares the site and writes the
accounts and ids this file reads (``LOAD_DATA``, a JSON file): sessions and
API tokens of SME owners and platform owners (signed in once, before the
run), their needs, matches, open applications and capabilities they may still
apply to, and public ids to browse.

Three kinds of visitor, by weight: anonymous visitors browse and search the
catalogue, the needs board and the open API; SME owners also read their
matches, give feedback on them, apply (each pair of SME and capability once:
the product refuses a second open application) and write in their
applications' threads, and read the API with their token; platform owners read
the needs board with details, their capabilities' fitting needs, their
applications and threads, and the API with their token.

Every request names the status it expects (redirects are not followed): any
other status, a 4xx where a 2xx or 3xx was expected included, is a failure,
and so is a redirect to the sign-in page.
"""

import itertools
import json
import os
import random
from http.cookiejar import Cookie
from urllib.parse import urlencode

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ["LOAD_DATA"], encoding="utf-8") as data_file:
    DATA = json.load(data_file)
WAIT = (float(os.environ.get("LOAD_WAIT_MIN", "0.5")), float(os.environ.get("LOAD_WAIT_MAX", "2.5")))
PUBLIC = DATA["public"]
_next_account = {"sme": itertools.count(), "platform": itertools.count()}
_rng = random.Random()  # noqa: S311 - load-test choices, not security


def _cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0,
        name=name,
        value=value,
        port=None,
        port_specified=False,
        domain=host,
        domain_specified=False,
        domain_initial_dot=False,
        path="/",
        path_specified=True,
        secure=False,
        expires=None,
        discard=True,
        comment=None,
        comment_url=None,
        rest={},
    )


class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def expect(self, method: str, path: str, *, name: str, status: int = 200, form: dict | None = None, token=None):
        """One request; a failure unless it answers ``status``. Returns the response."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        body = None
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form)
        with self.client.request(
            method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == status and "/accounts/login/" in response.headers.get("Location", ""):
                response.failure(f"{method} {path}: sent to the sign-in page")
            elif response.status_code == status:
                response.success()
            else:
                response.failure(f"{method} {path}: {response.status_code}, expected {status}")
            return response

    # What every visitor does: the public pages and the open API.
    def browse_catalogue(self):
        choice = _rng.random()
        if choice < 0.4:
            self.expect("GET", "/capabilities/", name="catalogue")
        elif choice < 0.6:
            self.expect("GET", f"/capabilities/?page={_rng.randint(2, 20)}", name="catalogue, page n")
        else:
            filters = _rng.choice(
                [
                    {"kind": _rng.choice(PUBLIC["kinds"])},
                    {"region": _rng.choice(PUBLIC["regions"])},
                    {"industry": _rng.choice(PUBLIC["industries"])},
                    {"tag": _rng.choice(PUBLIC["tags"])},
                    {"kind": _rng.choice(PUBLIC["kinds"]), "region": _rng.choice(PUBLIC["regions"])},
                ]
            )
            self.expect("GET", f"/capabilities/?{urlencode(filters)}", name="catalogue, filtered")

    def search_catalogue(self):
        query = urlencode({"q": _rng.choice(PUBLIC["queries"])})
        self.expect("GET", f"/capabilities/?{query}", name="catalogue, search")

    def view_capability(self):
        self.expect("GET", f"/capabilities/{_rng.choice(PUBLIC['capabilities'])}/", name="capability detail")

    def browse_needs(self):
        if _rng.random() < 0.7:
            self.expect("GET", "/needs/", name="needs board")
        else:
            query = urlencode({"kind": _rng.choice(PUBLIC["kinds"]), "region": _rng.choice(PUBLIC["regions"])})
            self.expect("GET", f"/needs/?{query}", name="needs board, filtered")

    def view_need(self):
        self.expect("GET", f"/needs/{_rng.choice(PUBLIC['needs'])}/", name="need detail")

    def read_open_api(self, token=None):
        choice = _rng.random()
        if choice < 0.5:
            self.expect("GET", "/api/v1/capabilities/", name="API capabilities", token=token)
        elif choice < 0.75:
            query = urlencode({"q": _rng.choice(PUBLIC["queries"])})
            self.expect("GET", f"/api/v1/capabilities/?{query}", name="API capabilities, search", token=token)
        elif choice < 0.9:
            self.expect(
                "GET",
                f"/api/v1/capabilities/{_rng.choice(PUBLIC['capabilities'])}/",
                name="API capability",
                token=token,
            )
        else:
            self.expect("GET", "/api/v1/stats/", name="API statistics", token=token)


class AnonymousVisitor(Visitor):
    weight = 4

    @task(6)
    def catalogue(self):
        self.browse_catalogue()

    @task(3)
    def search(self):
        self.search_catalogue()

    @task(4)
    def capability(self):
        self.view_capability()

    @task(2)
    def needs(self):
        self.browse_needs()

    @task(1)
    def need(self):
        self.view_need()

    @task(3)
    def api(self):
        self.read_open_api()


class Member(Visitor):
    """A signed-in owner: one account of the pool for the whole run."""

    abstract = True
    side = ""

    def on_start(self):
        accounts = DATA[self.side]
        self.account = accounts[next(_next_account[self.side]) % len(accounts)]
        host = self.host.split("://", 1)[1].split(":", 1)[0]
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.account["session"], host))
        self.client.cookiejar.set_cookie(_cookie("csrftoken", self.account["csrf"], host))
        self.applications = list(self.account["applications"])

    def post(self, path: str, form: dict, *, name: str, status: int = 302):
        return self.expect(
            "POST", path, name=name, status=status, form={**form, "csrfmiddlewaretoken": self.account["csrf"]}
        )

    def write_message(self):
        if not self.applications:
            return
        application = _rng.choice(self.applications)
        self.expect("GET", f"/applications/{application}/", name="application detail")
        body = f"Load test message {_rng.randint(1, 10**9)}: could we schedule a call about volumes and timing?"
        self.post(f"/applications/{application}/messages/", {"body": body}, name="message (POST)")


class SmeOwner(Member):
    weight = 4
    side = "sme"

    def on_start(self):
        super().on_start()
        self.to_apply = list(self.account["to_apply"])
        _rng.shuffle(self.to_apply)

    @task(4)
    def catalogue(self):
        self.browse_catalogue()

    @task(3)
    def search(self):
        self.search_catalogue()

    @task(4)
    def capability(self):
        self.view_capability()

    @task(1)
    def needs(self):
        self.browse_needs()

    @task(3)
    def my_matches(self):
        if _rng.random() < 0.3:
            self.expect("GET", "/workspace/needs/", name="SME workspace: needs")
        else:
            self.expect("GET", f"/needs/{_rng.choice(self.account['needs'])}/", name="SME need with matches")

    @task(2)
    def match_feedback(self):
        if not self.account["matches"]:
            return
        value = _rng.choice(["interested", "interested", "", "dismissed"])
        match = _rng.choice(self.account["matches"])
        self.post(f"/matches/{match}/feedback/", {"value": value}, name="match feedback (POST)")

    @task(1)
    def apply(self):
        if not self.to_apply:
            return
        capability, terms_version = self.to_apply.pop()
        path = f"/capabilities/{capability}/apply/"
        self.expect("GET", path, name="apply form")
        form = {
            "intended_use": "Load test: invoices from our 12 suppliers, about 3,000 a month, from next quarter.",
            "answer": "About 3,000 documents a month.",
            "message": "We can start with a pilot.",
            "accept_terms": "on",
            "terms_version": terms_version,
        }
        response = self.post(path, form, name="apply (POST)")
        location = response.headers.get("Location", "") if response.status_code == 302 else ""
        application = location.rstrip("/").rsplit("/", 1)[-1]
        if application.isdigit():
            self.applications.append(int(application))

    @task(2)
    def message(self):
        self.write_message()

    @task(3)
    def api(self):
        choice = _rng.random()
        token = self.account["token"]
        if choice < 0.35:
            self.expect("GET", "/api/v1/matches/", name="API matches (SME)", token=token)
        elif choice < 0.6:
            self.expect("GET", "/api/v1/applications/", name="API applications (SME)", token=token)
        else:
            self.read_open_api(token=token)


class PlatformOwner(Member):
    weight = 2
    side = "platform"

    @task(3)
    def needs(self):
        self.browse_needs()

    @task(2)
    def need(self):
        self.view_need()

    @task(2)
    def fitting_needs(self):
        self.expect(
            "GET",
            f"/capabilities/{_rng.choice(self.account['capabilities'])}/",
            name="platform capability with matches",
        )

    @task(2)
    def applications_list(self):
        self.expect("GET", "/workspace/applications/", name="platform applications")

    @task(1)
    def message(self):
        self.write_message()

    @task(3)
    def api(self):
        choice = _rng.random()
        token = self.account["token"]
        if choice < 0.5:
            self.expect("GET", "/api/v1/needs/", name="API needs (platform)", token=token)
        else:
            self.expect("GET", "/api/v1/applications/", name="API applications (platform)", token=token)
