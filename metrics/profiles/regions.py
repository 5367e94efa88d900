"""Census regions by state FIPS code, used to describe and suggest peers."""

from django.utils.translation import gettext_lazy as _

REGION_NAMES = {
    "northeast": _("the Northeast"),
    "midwest": _("the Midwest"),
    "south": _("the South"),
    "west": _("the West"),
}
_STATES = {
    "northeast": "09 23 25 33 34 36 42 44 50",
    "midwest": "17 18 19 20 26 27 29 31 38 39 46 55",
    "south": "01 05 10 11 12 13 21 22 24 28 37 40 45 47 48 51 54",
    "west": "02 04 06 08 15 16 30 32 35 41 49 53 56",
}
REGION_OF_STATE = {fips: region for region, states in _STATES.items() for fips in states.split()}


def region_of(state_fips: str) -> str | None:
    return REGION_OF_STATE.get(state_fips)
