"""The residents' pages of a data walk: no account, no JavaScript, English or Spanish.

Plain HTML forms, POST then redirect. A resident is known only by a random id in a signed
cookie, set the first time they send something (reading sets nothing). The client address is
used for the rate limit only, hashed, in the cache. An unknown or tampered link gets a friendly
404 page; a closed walk a 410 page that says so.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from core.throttling import client_address
from walks import selectors, services
from walks.forms import AboutForm, AnswerForm, ContactForm
from walks.models import DataWalk, Language
from walks.stations import station_chart, station_data

DEVICE_COOKIE = "walk_device"
DEVICE_SALT = "walks.device"
DEVICE_AGE = 60 * 60 * 24 * 120


def _device(request: HttpRequest) -> tuple[str, bool]:
    """The device id from the signed cookie, or a new one (True when new)."""
    found = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
    if found and len(found) <= 40:
        return found, False
    return secrets.token_urlsafe(16), True


def _keep_device(response: HttpResponse, device_id: str, new: bool) -> HttpResponse:
    if new:
        response.set_signed_cookie(
            DEVICE_COOKIE,
            device_id,
            salt=DEVICE_SALT,
            max_age=DEVICE_AGE,
            httponly=True,
            samesite="Lax",
            secure=False,
        )
    return response


def _address(request: HttpRequest) -> str:
    return client_address(request)


def _language(request: HttpRequest) -> str:
    lang = request.POST.get("lang") or request.GET.get("lang") or ""
    if lang in Language.values:
        return lang
    current = (translation.get_language() or "en")[:2]
    return current if current in Language.values else Language.EN


def _url(name: str, walk: DataWalk, lang: str, **kwargs: object) -> str:
    url = reverse(f"walks_public:{name}", kwargs={"token": walk.token, **kwargs})
    return f"{url}?lang={lang}"


def _page(
    request: HttpRequest, template: str, lang: str, status: int = 200, **context: object
) -> HttpResponse:
    with translation.override(lang):
        response = render(request, template, {"lang": lang, **context}, status=status)
    response["Content-Language"] = lang
    # same-origin: no address leaves the site, and forms still send their Origin for CSRF.
    response["Referrer-Policy"] = "same-origin"
    return response


def _unavailable(request: HttpRequest, walk: DataWalk | None, lang: str) -> HttpResponse:
    if walk is None:
        return _page(request, "walks/public/unknown.html", lang, status=404)
    return _page(request, "walks/public/closed.html", lang, status=410, walk=walk)


def _switch(request: HttpRequest, lang: str) -> dict[str, str]:
    other = "es" if lang == "en" else "en"
    return {"code": other, "url": f"{request.path}?lang={other}", "label": Language(other).label}


@never_cache
def walk_start(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    walk = selectors.public_walk(token)
    if walk is None or not walk.is_open:
        return _unavailable(request, walk, lang)
    device_id, _new = _device(request)
    participant = services.participant_for(walk, device_id)
    first = walk.stations.order_by("position").first()
    ask_about = bool(walk.demographics) and not (participant and participant.demographics_asked)
    if ask_about:
        start = _url("about", walk, lang)
    elif first is not None:
        start = _url("station", walk, lang, position=first.position)
    else:
        start = ""
    return _page(
        request,
        "walks/public/start.html",
        lang,
        walk=walk,
        title=walk.title(lang),
        intro=walk.intro(lang),
        use=walk.use_statement(lang),
        start=start,
        count=walk.stations.count(),
        switch=_switch(request, lang),
    )


@never_cache
@csrf_protect
def walk_about(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    walk = selectors.public_walk(token)
    if walk is None or not walk.is_open:
        return _unavailable(request, walk, lang)
    first = walk.stations.order_by("position").first()
    after = (
        _url("station", walk, lang, position=first.position) if first else _url("start", walk, lang)
    )
    with translation.override(lang):
        form = AboutForm(request.POST or None, asked=walk.demographics)
        if request.method == "POST":
            device_id, new = _device(request)
            answers = {} if "skip" in request.POST else (request.POST.dict())
            if "skip" in request.POST or form.is_valid():
                try:
                    services.participant_about_save(
                        walk=walk,
                        device_id=device_id,
                        address=_address(request),
                        language=lang,
                        answers=answers if "skip" in request.POST else form.cleaned_data,
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                else:
                    return _keep_device(redirect(after), device_id, new)
        return _page(
            request,
            "walks/public/about.html",
            lang,
            status=400 if form.errors else 200,
            walk=walk,
            title=walk.title(lang),
            use=walk.use_statement(lang),
            form=form,
            switch=_switch(request, lang),
        )


def _add_errors(form: AboutForm | AnswerForm | ContactForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@never_cache
@csrf_protect
def station_page(request: HttpRequest, token: str, position: int) -> HttpResponse:
    lang = _language(request)
    walk = selectors.public_walk(token)
    if walk is None or not walk.is_open:
        return _unavailable(request, walk, lang)
    # One query for the walk's stations: this one, the next, and how many.
    stations = list(walk.stations.order_by("position"))
    station = next((s for s in stations if s.position == position), None)
    if station is None:
        return _unavailable(request, None, lang)
    questions = station.questions(lang)
    nxt = next((s for s in stations if s.position > position), None)
    next_url = (
        _url("station", walk, lang, position=nxt.position) if nxt else _url("thanks", walk, lang)
    )
    status = 200
    with translation.override(lang):
        form = AnswerForm(
            request.POST or None, questions=questions, quick_reaction=station.quick_reaction
        )
        if request.method == "POST":
            device_id, new = _device(request)
            if form.is_valid():
                try:
                    services.answer_submit(
                        station=station,
                        device_id=device_id,
                        address=_address(request),
                        language=lang,
                        texts=form.texts(),
                        reaction=form.cleaned_data.get("reaction", ""),
                    )
                except services.RateLimited as exc:
                    _add_errors(form, exc)
                    status = 429
                except ValidationError as exc:
                    _add_errors(form, exc)
                    status = 400
                else:
                    return _keep_device(redirect(next_url + "&sent=1"), device_id, new)
            else:
                status = 400
        data = station_data(walk.coalition, station.variable)
        return _page(
            request,
            "walks/public/station.html",
            lang,
            status=status,
            walk=walk,
            title=walk.title(lang),
            station=station,
            data=data,
            chart=station_chart(data, chart_id="walk-chart", width=420),
            caption=station.caption(lang),
            form=form,
            next_url=next_url,
            sent=request.GET.get("sent") == "1",
            total=len(stations),
            switch=_switch(request, lang),
        )


@never_cache
@csrf_protect
def walk_thanks(request: HttpRequest, token: str) -> HttpResponse:
    lang = _language(request)
    walk = selectors.public_walk(token)
    if walk is None or not walk.is_open:
        return _unavailable(request, walk, lang)
    status = 200
    with translation.override(lang):
        form = ContactForm(request.POST or None)
        if request.method == "POST":
            device_id, new = _device(request)
            if form.is_valid():
                try:
                    services.contact_save(
                        walk=walk,
                        device_id=device_id,
                        address=_address(request),
                        text=form.cleaned_data["contact"],
                    )
                except ValidationError as exc:
                    _add_errors(form, exc)
                    status = 400
                else:
                    return _keep_device(
                        redirect(_url("thanks", walk, lang) + "&saved=1"), device_id, new
                    )
            else:
                status = 400
        return _page(
            request,
            "walks/public/thanks.html",
            lang,
            status=status,
            walk=walk,
            title=walk.title(lang),
            form=form,
            saved=request.GET.get("saved") == "1",
            switch=_switch(request, lang),
        )
