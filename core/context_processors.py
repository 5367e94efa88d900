from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"OPEN_SIGNUP": settings.OPEN_SIGNUP, "EMBEDDED": settings.EMBEDDED}
