"""Every page a coalition member opens, on a 360 px phone and a 1280 px laptop, in English and
Spanish (issue 15): no sideways scrolling, no control cut off or on top of another, no serious
axe-core violation.

The pages come from the route matrices (tests/test_routes.py, the coalition, data walk,
implementation and tracking matrices, and the published scorecard): every GET page a signed-in
person opens, seen by the coalition's project manager (who sees every page a member sees, and
the management pages too), over one coalition with realistic content: filled worksheets (W5.1
by several members, every Step 6 worksheet), a measurement plan, a MAP draft and a frozen
version, a data walk with answers, a metric profile with reference data, an action with
milestones, an early win, a progress report, a plan cycle, a published scorecard, a measure and
a goal with values. One browser, one signed-in context per width and language. Screenshots go
to var/artefacts/phone-sweep/ (gitignored).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Error as PlaywrightError

from coalitions.models import Role
from coalitions.services import coalition_member_invite
from plans import definitions
from plans.map import services as map_services
from plans.services import worksheet_response_save
from tests.browser.test_content_security_policy import _sign_in
from tests.coalitions.test_access_matrix import WEB, _url, world  # noqa: F401 - a fixture
from tests.implementation import test_access as implementation_matrix
from tests.implementation.values import implementation_and_tracking
from tests.map.sample_plan import fill_every_feeding_worksheet, sample_record
from tests.map.test_every_metric import _observe_every_metric
from tests.test_routes import SITE_ROUTES
from tests.tracking import test_access as tracking_matrix
from tests.walks import test_access as walks_matrix
from tests.walks.conftest import observe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "var" / "artefacts" / "phone-sweep"
AXE = Path(__file__).resolve().parents[1] / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (360, 1280)
LANGUAGES = ("en", "es")
# Files, not pages: a download never lays anything out.
DOWNLOADS = {
    "plans:worksheet_export",
    "plans:worksheet_file",
    "plans:workspace_export",
    "map:export_download",
    "map:cover_logo",
    "walks:export_file",
}
# Pages whose screenshots a person looks at: var/artefacts/phone-sweep/<lang>-<width>-<name>.png
# holds every page on the phone (the first screen) and these, full length, at both widths.
KEY_PAGES = {
    "plans:steps",
    "plans:worksheet",
    "plans:compilation",
    "map:measures",
    "map:strategy",
    "map:plan",
    "profiles:profile",
    "profiles:metric",
    "coalitions:detail",
    "public-plan",
    "w5_1",
    "w6_5",
}

# What the sweep measures on a page, in the page: sideways scrolling, controls cut off by the
# viewport or a clipping ancestor, controls on top of each other.
LAYOUT_JS = """
() => {
  const width = window.innerWidth;
  const problems = [];
  const scroll = document.scrollingElement.scrollWidth;
  if (scroll > width) problems.push(`the page scrolls sideways: ${scroll}px wide in ${width}px`);
  // A table in a box that scrolls sideways hides its columns from whoever does not notice.
  for (const box of document.querySelectorAll('main *')) {
    const overflow = getComputedStyle(box).overflowX;
    if (!['auto', 'scroll'].includes(overflow) || !box.checkVisibility()) continue;
    if (box.scrollWidth > box.clientWidth + 1) {
      const what = box.querySelector('caption, th') || box;
      const text = (what.innerText || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      const where = `${box.tagName.toLowerCase()}.${box.className} "${text}"`;
      problems.push(`${where} scrolls sideways: ${box.scrollWidth}px in ${box.clientWidth}px`);
    }
  }
  const name = (el) => {
    const text = (el.getAttribute('aria-label') || el.innerText || el.value || el.name || '')
      .trim().replace(/\\s+/g, ' ').slice(0, 40);
    return `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${text}"`;
  };
  const controls = [];
  for (const el of document.querySelectorAll('a[href], button, input, select, textarea, summary')) {
    if (el.type === 'hidden' || el.closest('[hidden], [aria-hidden=true]')) continue;
    // Not drawn: display:none, visibility:hidden, inside a closed <details>.
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    // Hidden ones: not rendered, or shrunk to a pixel for screen readers (skip link).
    if (box.width <= 1 || box.height <= 1) continue;
    if (el.classList.contains('skip-link') && box.bottom <= 0) continue;
    // A sticky or fixed bar (the worksheet's Save bar) floats over the text on purpose.
    let floating = false;
    for (let up = el; up; up = up.parentElement) {
      if (['sticky', 'fixed'].includes(getComputedStyle(up).position)) { floating = true; break; }
    }
    // A link that wraps onto two lines has two boxes; its bounding box covers its neighbours.
    if (!floating) controls.push([el, Array.from(el.getClientRects())]);
    if (box.left < -1 || box.right > width + 1) {
      problems.push(`${name(el)} is cut off: ${Math.round(box.left)}..${Math.round(box.right)}px`);
      continue;
    }
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const overflow = getComputedStyle(up).overflowX;
      if (overflow === 'visible') continue;
      const frame = up.getBoundingClientRect();
      if (box.left < frame.left - 1 || box.right > frame.right + 1) {
        const frameName = `${up.tagName.toLowerCase()}.${up.className}`;
        problems.push(`${name(el)} is hidden by overflow:${overflow} of ${frameName}`);
        break;
      }
    }
  }
  for (let i = 0; i < controls.length; i++) {
    const [a, ps] = controls[i];
    for (let j = i + 1; j < controls.length; j++) {
      const [b, qs] = controls[j];
      if (a.contains(b) || b.contains(a)) continue;
      const hit = ps.some((p) => qs.some((q) => {
        const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        return x > 2 && y > 2;
      }));
      if (hit) problems.push(`${name(a)} overlaps ${name(b)}`);
    }
  }
  return problems;
}
"""


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the current page."""
    # Evaluated through the DevTools protocol, which the Content-Security-Policy does not govern.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    # Only violations: collecting every passing node doubles axe's time on long pages.
    result = page.evaluate(
        "async () => JSON.stringify(await axe.run(document, {resultTypes: ['violations']}))"
    )
    return [
        f"axe {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in json.loads(result)["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_JS)


# --- One coalition with something on every page --------------------------------------------


def _fill_w5_1(coalition) -> None:
    """Three members give their own W5.1 answers, so the compilation has columns."""
    ws = definitions.worksheet("w5_1")
    members = list(coalition.memberships.values_list("pk", flat=True))
    for n, membership in enumerate(
        coalition.memberships.exclude(role=Role.VIEWER).order_by("pk")[:3], start=1
    ):
        result = worksheet_response_save(
            actor=membership,
            worksheet_key="w5_1",
            data=sample_record(ws, members, n),
            base_version=0,
            owner=membership,
        )
        assert not result.errors, result.errors


def _walk_with_answers(coalition, lead):
    from walks import services

    observe(coalition)
    walk = services.data_walk_save(
        actor=lead,
        fields={
            "title_en": "Our neighbourhood in numbers",
            "title_es": "Nuestro barrio en números",
            "use_en": "The coalition reads every answer and uses them to write its plan.",
            "use_es": "La coalición lee cada respuesta y las usa para escribir su plan.",
            "demographics": ["age_band", "race_ethnicity"],
        },
    )
    for variable in ("walk_employed", "walk_housing"):
        services.station_save(
            actor=lead,
            walk=walk,
            variable=variable,
            caption_en="What this number means for the families who live here.",
            caption_es="Lo que este número significa para las familias que viven aquí.",
            questions_en=["What surprises you?", "Does this match your experience?"],
            questions_es=["¿Qué le sorprende?", "¿Coincide esto con su experiencia?"],
        )
    services.data_walk_status_set(actor=lead, walk=walk, status="open")
    station = walk.stations.first()
    answer = services.answer_submit(
        station=station,
        device_id="phone-1",
        address="",
        language="es",
        texts={0: "Los alquileres suben más rápido que los sueldos en nuestro barrio."},
    )[0]
    return {"walk": walk, "station": station, "answer": answer}


@pytest.fixture
def sweep_world(reference_data, world):  # noqa: F811 - the fixture imported above
    coalition = world["coalition"]
    pm = coalition.memberships.get(role=Role.PROJECT_MANAGER)
    lead = coalition.memberships.get(role=Role.DATA_LEAD)
    walk = _walk_with_answers(coalition, lead)
    # After the walk's own release: every metric (the walk's too) observed in the active one.
    _observe_every_metric(coalition)
    fill_every_feeding_worksheet(pm)
    _fill_w5_1(coalition)
    from core.models import JobStatus
    from walks.models import WalkExport

    export = WalkExport.objects.create(walk=walk["walk"], status=JobStatus.SUCCEEDED)
    # The measurement plan: every row measured, one on a metric with its baseline.
    for n, measure in enumerate(coalition.measures.order_by("pk")):
        map_services.measure_save(
            measure=measure,
            actor=pm,
            fields={
                "measure": f"People hired through the living-wage programme ({n + 1})",
                "target": "75%" if n else "",
                "data_source": "County workforce board, quarterly report",
                "responsible": "Data lead",
                **({"metric_variable": "share_employed"} if n == 0 else {}),
            },
            typed_numbers=False,
        )
    version = world["version"]
    version.approved, version.published_at = True, timezone.now()
    version.save()
    # The implementation and tracking pages: an action with milestones, an early win, a
    # report, a cycle, a published scorecard, a measure and a goal with values.
    apps = implementation_and_tracking(coalition, pm)
    return {**world, **walk, "walk_export": export, "pm": pm, "apps": apps}


def _walk_url(name: str, objects: dict) -> str:
    needs = walks_matrix.WEB[name][2]
    args: list[int] = [objects["coalition"].pk]
    if needs:
        args.append(objects["walk"].pk)
    if needs not in ("", "walk"):
        key = "walk_export" if needs == "export" else needs
        args.append(objects[key].pk)
    return reverse(name, args=args)


def sweep_pages(objects: dict) -> list[tuple[str, str]]:
    """(name, path) of every GET page the project manager opens, from the route matrices."""
    pages = [
        (name, reverse(name, kwargs=route.kwargs))
        for name, route in sorted(SITE_ROUTES.items())
        if route.method == "get" and route.kind in ("public", "login") and "healthz" not in name
    ]
    pages += [
        (name, _url(name, keys, objects))
        for name, (method, _minimum, keys) in sorted(WEB.items())
        if method == "get" and name not in DOWNLOADS
    ]
    pages += [
        (name, _walk_url(name, objects))
        for name, (method, _minimum, _needs) in sorted(walks_matrix.WEB.items())
        if method == "get" and name not in DOWNLOADS
    ]
    apps = objects["apps"]
    for matrix, found in (
        (implementation_matrix, apps["implementation"]),
        (tracking_matrix, apps["tracking"]),
    ):
        pages += [
            (name, matrix.url_for(name, found))
            for name, (method, _minimum, _needs) in sorted(matrix.WEB.items())
            if method == "get" and name not in DOWNLOADS
        ]
    token = apps["publication"].public_token
    pages.append(
        ("scorecard_public:scorecard", reverse("scorecard_public:scorecard", args=[token]))
    )
    coalition = objects["coalition"].pk
    pages += [
        ("coalitions:list", reverse("coalitions:list")),
        ("coalitions:create", reverse("coalitions:create")),
        # The wide editable worksheets, and a Step 6 one with repeating records.
        ("w5_1", reverse("plans:worksheet", args=[coalition, "w5_1"])),
        ("w6_5", reverse("plans:worksheet", args=[coalition, "w6_5"])),
        ("w7_4", reverse("plans:worksheet", args=[coalition, "w7_4"])),
        ("public-plan", objects["version"].public_path),
        ("walk-public", reverse("walks_public:start", args=[objects["walk"].token])),
        ("walk-station", reverse("walks_public:station", args=[objects["walk"].token, 1])),
    ]
    return pages


def _shot_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def test_layout_check_can_fail(page, live_server):
    """The checks see sideways scrolling, a cut-off control and two controls on top of
    each other, so a page that has them fails the sweep."""
    page.set_viewport_size({"width": 360, "height": 740})
    url = live_server.url + "/phone-sweep-control/"
    body = (
        "<div style='width:500px'>wide</div>"
        "<div style='overflow:hidden;width:100px'><button style='margin-left:150px'>Hid"
        "</button></div>"
        "<a href='#' style='position:absolute;top:300px;left:10px'>One</a>"
        "<a href='#' style='position:absolute;top:300px;left:12px'>Two</a>"
        "<input aria-label='x' style='position:absolute;left:340px;width:100px;top:400px'>"
    )
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=body))
    page.goto(url)
    found = "\n".join(layout_problems(page))
    assert "scrolls sideways" in found
    assert 'button "Hid" is hidden by overflow:hidden' in found
    assert 'a "One" overlaps a "Two"' in found
    assert 'input "" is cut off' in found or "input" in found


# Layout does not depend on the database: CI sweeps in its SQLite leg only (.ci/run).
@pytest.mark.layout
def test_every_page_on_a_phone_and_a_laptop(browser, live_server, sweep_world):
    SHOTS.mkdir(parents=True, exist_ok=True)
    only = os.environ.get("PHONE_SWEEP_ONLY", "")  # e.g. "map:" while fixing one area
    pages = [(n, p) for n, p in sweep_pages(sweep_world) if only in n]
    failures: list[str] = []
    seen = 0
    for language in LANGUAGES:
        for width in WIDTHS:
            context = browser.new_context(
                viewport={"width": width, "height": 740 if width < 600 else 900},
                locale="es-ES" if language == "es" else "en-US",
            )
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            # axe-core loaded into every page by the DevTools protocol, which the page's
            # Content-Security-Policy does not govern (a <script> tag would be refused).
            context.add_init_script(script=AXE.read_text(encoding="utf-8"))
            page = context.new_page()
            page.set_default_timeout(20000)
            _sign_in(page, live_server, sweep_world["pm"].user)
            for name, path in pages:
                try:
                    response = page.goto(live_server.url + path)
                except PlaywrightError as exc:  # a download is not a page
                    assert "Download is starting" in str(exc), (path, exc)
                    continue
                assert response is not None
                if not response.headers.get("content-type", "").startswith("text/html"):
                    continue
                if page.locator("html[lang]").count() == 0:
                    continue  # an htmx fragment (search results, a progress bar), not a page
                seen += 1
                where = f"[{language} {width}px] {name} {path}"
                if response.status >= 500:
                    failures.append(f"{where}: status {response.status}")
                    continue
                # A published plan reads in its own language (English here), whoever visits.
                expected = "en" if name == "public-plan" else language
                assert page.locator("html").get_attribute("lang") == expected, where
                problems = layout_problems(page)
                # axe once per language and page, on the phone (the layouts share their
                # markup; the laptop adds nothing the phone does not have).
                if width == WIDTHS[0]:
                    problems += axe_problems(page)
                failures += [f"{where}: {p}" for p in problems]
                key = name in KEY_PAGES
                if key or width == WIDTHS[0]:  # every page on the phone, key ones on the laptop
                    page.screenshot(
                        path=str(SHOTS / f"{language}-{width}-{_shot_name(name)}.png"),
                        full_page=key,
                    )
            context.close()
    assert only or seen > 4 * 80, seen
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)


# --- The Spanish journey at 360 px -----------------------------------------------------------


def check_page_content_is_spanish(page, key: str) -> None:
    """The worksheet's own words (title, questions, help) read in Spanish: the Spanish title is
    the heading, and no English question or help text of the worksheet is on the page."""
    with translation.override("en"):
        english = definitions.worksheet(key)
    with translation.override("es"):
        spanish = definitions.worksheet(key)
    text = page.locator("main").inner_text()
    assert spanish.title in page.locator("h1").inner_text()
    left = []
    for en, es in zip(english.fields, spanish.fields, strict=True):
        for en_text, es_text in ((en.label, es.label), (en.help, es.help)):
            if en_text and en_text != es_text and en_text.strip() in text:
                left.append(en_text)
    assert not left, f"English content on the Spanish page of {key}: {left}"


def _invite_in_spanish(pm, email: str) -> str:
    with translation.override("es"):
        coalition_member_invite(actor_membership=pm, email=email, role=Role.MEMBER)
    message = mail.outbox[-1]
    assert "Acepte la invitación" in message.body, message.body
    link = re.search(r"/coalitions/invitation/\S+/", message.body)
    assert link, message.body
    return link.group(0)


def _save(page) -> None:
    """Press the worksheet's Save button (in its sticky bar) and wait for the saved page."""
    with page.expect_navigation():
        page.locator("form[data-autosave] .sticky-actions button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert layout_problems(page) == [], layout_problems(page)


def test_spanish_member_fills_w5_1_and_a_step_6_worksheet_on_a_phone(
    browser,
    live_server,
    reference_data,
    world,  # noqa: F811 - the fixture imported above
):
    coalition = world["coalition"]
    pm = coalition.memberships.get(role=Role.PROJECT_MANAGER)
    fill_every_feeding_worksheet(pm)  # W5.2 says how W5.1's answers are shared
    path = _invite_in_spanish(pm, "lucia@example.org")

    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(live_server.url + path)
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_label("Su nombre").fill("Lucía Ramírez")
    page.get_by_label("Elija una contraseña").fill("una contraseña larga")
    page.get_by_label("Repita la contraseña").fill("una contraseña larga")
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("h1")
    assert coalition.memberships.filter(user__email="lucia@example.org").exists()
    assert layout_problems(page) == []

    # W5.1, her own answers: one field filled and saved.
    page.goto(live_server.url + reverse("plans:worksheet", args=[coalition.pk, "w5_1"]))
    assert page.locator("html").get_attribute("lang") == "es"
    check_page_content_is_spanish(page, "w5_1")
    assert layout_problems(page) == [], layout_problems(page)
    page.locator("textarea[name=q1_strengths]").fill("Mi barrio necesita trabajos cerca de casa.")
    _save(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "journey-es-360-w5-1.png"), full_page=True)
    mine = coalition.memberships.get(user__email="lucia@example.org")
    assert "Mi barrio necesita trabajos cerca de casa." in json.dumps(
        mine.worksheet_responses.get(worksheet_key="w5_1").data, ensure_ascii=False
    )

    # A Step 6 worksheet with repeating records, filled together.
    page.goto(live_server.url + reverse("plans:worksheet", args=[coalition.pk, "w6_5"]))
    assert page.locator("html").get_attribute("lang") == "es"
    check_page_content_is_spanish(page, "w6_5")
    assert layout_problems(page) == [], layout_problems(page)
    page.locator("textarea[name=r0-strengths]").fill("Programa de aprendices con el colegio.")
    _save(page)
    page.screenshot(path=str(SHOTS / "journey-es-360-w6-5.png"), full_page=True)
    assert "aprendices" in json.dumps(
        coalition.worksheet_responses.get(worksheet_key="w6_5", owner=None).data,
        ensure_ascii=False,
    )
    context.close()
