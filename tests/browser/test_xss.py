"""No injected script runs in a real browser: every payload of `tests/hostile.py`, on every reader
page and on the editors' annotate screen, in Chromium.

Each payload, had it run, would call `window.__xss.push('<id>')` or `alert('<id>')`. The pages
are opened with the Content-Security-Policy bypassed, so that escaping alone is what is tested,
then once more with the policy on, where no violation may be reported either: escaping stops
every attempt before the policy has to. Pages are read a little as a reader would (highlights
hovered, note references clicked, margin notes opened and closed; on the annotate screen every
highlight clicked, so the note panel renders each hostile note, reply and history), and the
live DOM is audited as the browser built it: no event handler attribute, no `javascript:` or
`data:` URL, no frame, object or base element, and no script but the site's own.
"""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from tests.factories import UserFactory
from tests.hostile import CANARY, CORPUS, build_hostile_story

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's

# Before any of the page's own scripts: where payloads would report, and CSP violations.
INIT_SCRIPT = """
window.__xss = [];
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push({
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
  });
});
"""

# The DOM as the browser built it (after the page's scripts and our clicks), audited.
AUDIT_DOM = """(ownElements) => {
  const problems = [];
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "");
  const protocol = (value) => {
    try { return new URL(value, document.baseURI).protocol; } catch (error) { return ""; }
  };
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.toLowerCase().startsWith("on")) {
        problems.push(`${describe(el)} has ${attr.name}=${attr.value.slice(0, 60)}`);
      }
    }
    for (const name of ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"]) {
      const value = el.getAttribute(name);
      if (value === null) continue;
      if (name === "srcdoc" || ["javascript:", "data:", "vbscript:"].includes(protocol(value))) {
        problems.push(`${describe(el)} ${name}=${value.slice(0, 60)}`);
      }
    }
  }
  const forbidden = ["iframe", "frame", "object", "embed", "base", "math", "style", "svg"]
    .filter((tag) => !ownElements.includes(tag));
  for (const el of document.querySelectorAll(forbidden.join(","))) {
    problems.push(`${describe(el)} is not the site's`);
  }
  for (const script of document.scripts) {
    if (script.src) {
      const url = new URL(script.src);
      const own = url.origin === location.origin &&
        (url.pathname.startsWith("/static/") || url.pathname.startsWith("/admin/jsi18n/"));
      if (!own) problems.push(`script from ${script.src.slice(0, 80)}`);
    } else if (!["application/ld+json", "application/json"].includes(script.type)) {
      problems.push(`inline script: ${script.textContent.slice(0, 80)}`);
    }
  }
  for (const form of document.forms) {
    if (new URL(form.action, document.baseURI).origin !== location.origin) {
      problems.push(`form submits to ${form.action}`);
    }
  }
  return problems;
}"""


@pytest.fixture
def hostile_site():
    """Every payload of the corpus in its own story, with its section, author, tag and notes."""
    editor = UserFactory(username="chief", is_staff=True, is_superuser=True)
    return [
        build_hostile_story(payload, index=index, editor=editor)
        for index, payload in enumerate(CORPUS)
    ]


class Browser:
    """One browser context: records dialogs, injected calls and CSP violations per URL."""

    def __init__(self, new_page, live_server, *, csp: bool):
        self.origin = live_server.url
        self.page = new_page(
            viewport={"width": 1400, "height": 900}, bypass_csp=not csp, reduced_motion="reduce"
        )
        self.page.add_init_script(INIT_SCRIPT)
        # Short enough that buried elements fail fast, long enough for a busy machine.
        self.page.set_default_timeout(15_000)
        self.page.set_default_navigation_timeout(30_000)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        # No request leaves the test: lead images and external links point at example.org.
        elsewhere = re.compile(f"^(?!{re.escape(self.origin)}/)")
        self.page.context.route(elsewhere, lambda route: route.abort())
        self.problems: list[str] = []
        self.visited = 0

    def _dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open(self, path: str) -> None:
        response = self.page.goto(self.origin + path)
        self.visited += 1
        if response is None or response.status >= 400:
            self.problems.append(f"{path}: status {response and response.status}")

    def check(self, path: str, *, own_elements=()) -> None:
        """Everything that happened since this page was opened."""
        found = self.page.evaluate("() => ({xss: window.__xss, csp: window.__csp})")
        for payload_id in found["xss"]:
            self.problems.append(f"{path}: payload {payload_id!r} ran")
        for violation in found["csp"]:
            self.problems.append(f"{path}: CSP violation {violation}")
        for dialog in self.dialogs:
            self.problems.append(f"{path}: a dialog opened ({dialog})")
        self.dialogs.clear()
        for problem in self.page.evaluate(AUDIT_DOM, list(own_elements)):
            self.problems.append(f"{path}: {problem}")

    def visit(self, path: str, *, interact=None, own_elements=()) -> None:
        self.open(path)
        if interact:
            try:
                interact(self.page)
            except PlaywrightError as error:  # injected markup can bury what a reader clicks
                self.problems.append(f"{path}: {error.message.splitlines()[0]}")
        self.check(path, own_elements=own_elements)

    def instruments_work(self, *, csp: bool) -> bool:
        """Whether an inline script added to the page is heard: it runs with the policy
        bypassed, and is reported as a violation with the policy on."""
        self.page.evaluate(
            """() => {
                const script = document.createElement("script");
                script.textContent = "window.__xss.push('instrument-check')";
                document.body.append(script);
            }"""
        )
        self.page.wait_for_timeout(100)  # violation events are dispatched asynchronously
        found = self.page.evaluate("() => ({xss: window.__xss, csp: window.__csp})")
        if csp:
            return found["xss"] == [] and len(found["csp"]) == 1
        return found["xss"] == ["instrument-check"] and found["csp"] == []

    def visit_every_page(self, path: str) -> None:
        """A paginated list, page after page."""
        while path:
            self.visit(path)
            following = self.page.locator("a[rel=next]")
            path = following.get_attribute("href") if following.count() else None
            if path and path.startswith("?"):
                path = self.page.url.removeprefix(self.origin).split("?")[0] + path


def read_story(page) -> None:
    """Hover every highlight and link, click a highlight (which opens its note), close and
    reopen every note."""
    for mark in page.locator("mark.annotated").all():
        mark.hover()
    # The footnotes at the end are for no-JS and print only: the margin notes are on screen.
    for link in page.locator("a.read-more__link, .margin-note .note__source a").all():
        link.hover()
    # Dispatched, not clicked: injected markup may sit on top of the first highlight.
    page.evaluate("() => document.querySelector('mark.annotated')?.click()")
    # Close every margin note and open it again, as clicking its summary does (one round trip).
    page.evaluate(
        """() => document.querySelectorAll(".margin-note summary").forEach((summary) => {
            summary.click();
            summary.click();
        })"""
    )


def open_every_note(page) -> None:
    """Click each highlight on the annotate screen and wait for the panel to show its note."""
    marks = page.locator("#annotate-story mark.annotate-mark[data-note-ids]").all()
    assert len(marks) == 5, "every kind of note is highlighted"
    shown = page.locator("#note-meta", has_text=re.compile(r"\S"))
    for mark in marks:
        page.evaluate("document.getElementById('note-meta').textContent = ''")
        mark.click()
        shown.wait_for()


@pytest.fixture(params=[False, True], ids=["csp-bypassed", "csp-enforced"])
def csp(request):
    return request.param


def test_no_injected_script_runs_on_reader_pages(live_server, new_page, hostile_site, csp):
    """Story, neighbour (related list), section, tag, author and search pages of every payload,
    then every page of the front page, the search results and an archive."""
    browser = Browser(new_page, live_server, csp=csp)
    first = timezone.localtime(hostile_site[0].story.published_at)
    search = reverse("articles:search")
    for hostile in hostile_site:
        browser.visit(hostile.story.get_absolute_url(), interact=read_story)
        browser.visit(hostile.neighbour.get_absolute_url())
        browser.visit(hostile.section.get_absolute_url())
        browser.visit(hostile.tag.get_absolute_url())
        browser.visit(hostile.author.get_absolute_url())
        browser.visit(f"{search}?{urlencode({'q': hostile.payload.text[:200]})}")
    browser.visit_every_page(reverse("articles:front"))
    browser.visit_every_page(f"{search}?{urlencode({'q': CANARY})}")
    browser.visit_every_page(
        reverse("articles:archive-month", kwargs={"year": first.year, "month": first.month})
    )
    assert browser.visited > 6 * len(hostile_site)
    assert not browser.problems, "\n".join(browser.problems)
    assert browser.instruments_work(csp=csp)


def test_no_injected_script_runs_on_the_annotate_screen(live_server, new_page, hostile_site, csp):
    """Signed in through the admin's login form; every note of every payload opened."""
    browser = Browser(new_page, live_server, csp=csp)
    page = browser.page
    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "chief")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    for hostile in hostile_site:
        browser.visit(
            reverse("admin:articles_story_annotate", args=[hostile.story.pk]),
            interact=open_every_note,
            own_elements=["svg"],  # the admin's theme-toggle icons
        )
    assert browser.visited == len(hostile_site)
    assert not browser.problems, "\n".join(browser.problems)
    assert browser.instruments_work(csp=csp)
