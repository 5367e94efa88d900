from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class GeographyKind(models.TextChoices):
    COUNTY = "county", _("County")
    CITY = "city", _("City")


class Geography(models.Model):
    """A county (5-digit FIPS) or city (7-digit state+place FIPS) of the Mobility Metrics.

    Names come from the project's own FIPS list (metrics/data/geographies.csv), never from
    an imported file. Connecticut's planning regions and Alaska's 2020 split are
    geographies of their own; first_year/last_year say when each exists in the data.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=GeographyKind.choices)
    fips = models.CharField(_("FIPS code"), max_length=7, unique=True)
    state_fips = models.CharField(_("state FIPS"), max_length=2)
    state_name = models.CharField(_("state"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    first_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    last_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)

    class Meta:
        verbose_name = _("geography")
        verbose_name_plural = _("geographies")
        ordering = ("state_name", "name")
        indexes = [models.Index(fields=["kind", "state_fips"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.name}, {self.state_name}"
