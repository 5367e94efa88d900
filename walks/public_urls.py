"""The short public links residents reach by QR code: /w/<token>/…"""

from django.urls import path

from walks import public

app_name = "walks_public"

urlpatterns = [
    path("<str:token>/", public.walk_start, name="start"),
    path("<str:token>/about-you/", public.walk_about, name="about"),
    path("<str:token>/thanks/", public.walk_thanks, name="thanks"),
    path("<str:token>/<int:position>/", public.station_page, name="station"),
]
