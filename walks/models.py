"""Data walks: residents react to the coalition's data on a poster or a phone, without an account.

A ``DataWalk`` is a sequence of ``Station``s (a metric's chart, a caption and questions). A
resident is a ``Participant`` known only by a random device id from a signed cookie; what they
say is an ``Answer`` held for moderation. Contact details, when a resident chooses to leave
them, live apart in ``ContactDetail`` (only the project manager reads them). No IP address is
stored anywhere: the rate limits keep a hashed key in the cache only.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BackgroundJob

TEXT_LIMIT = 1000
MAX_QUESTIONS = 3


def new_token() -> str:
    return secrets.token_urlsafe(12)


class WalkStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Demographic(models.TextChoices):
    """The voluntary questions a coalition may choose to ask once per resident."""

    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    AGE_BAND = "age_band", _("Age")
    RACE_ETHNICITY = "race_ethnicity", _("Race and ethnicity")
    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", _("Under 18")
    FROM_18 = "18_24", _("18 to 24")
    FROM_25 = "25_34", _("25 to 34")
    FROM_35 = "35_44", _("35 to 44")
    FROM_45 = "45_64", _("45 to 64")
    FROM_65 = "65_plus", _("65 or older")


class RaceEthnicity(models.TextChoices):
    HISPANIC = "hispanic", _("Hispanic or Latino")
    BLACK = "black", _("Black or African American")
    WHITE = "white", _("White")
    ASIAN = "asian", _("Asian")
    NATIVE = "native", _("American Indian or Alaska Native")
    PACIFIC = "pacific", _("Native Hawaiian or Pacific Islander")
    MULTIPLE = "multiple", _("More than one")
    OTHER = "other", _("Another group")


class LivedExperience(models.TextChoices):
    YES = "yes", _("Yes, this is part of my life")
    NO = "no", _("No")


class Reaction(models.TextChoices):
    AGREE = "agree", _("I agree")
    NOT_MY_EXPERIENCE = "not_my_experience", _("Not my experience")
    WANT_TO_KNOW_MORE = "want_to_know_more", _("I want to know more")


class Moderation(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class Language(models.TextChoices):
    EN = "en", "English"
    ES = "es", "Español"


class DataWalk(models.Model):
    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="data_walks"
    )
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_es = models.CharField(_("title (Spanish)"), max_length=120, blank=True)
    intro_en = models.TextField(_("welcome (English)"), max_length=800, blank=True)
    intro_es = models.TextField(_("welcome (Spanish)"), max_length=800, blank=True)
    use_en = models.TextField(_("how answers are used (English)"), max_length=800)
    use_es = models.TextField(_("how answers are used (Spanish)"), max_length=800, blank=True)
    demographics = models.JSONField(_("questions about the resident"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=WalkStatus.choices, default=WalkStatus.DRAFT
    )
    token = models.CharField(max_length=32, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The walk's engagement activity row was added to W6.3 (once per walk).
    event_sent = models.BooleanField(default=False)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("data walk")
        verbose_name_plural = _("data walks")

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str) -> str:
        return (self.title_es if language == "es" else "") or self.title_en

    def intro(self, language: str) -> str:
        return (self.intro_es if language == "es" else "") or self.intro_en

    def use_statement(self, language: str) -> str:
        return (self.use_es if language == "es" else "") or self.use_en

    @property
    def is_open(self) -> bool:
        return self.status == WalkStatus.OPEN

    @property
    def demographic_labels(self) -> list[str]:
        return [str(Demographic(d).label) for d in self.demographics if d in Demographic.values]


class Station(models.Model):
    walk = models.ForeignKey(DataWalk, on_delete=models.CASCADE, related_name="stations")
    position = models.PositiveIntegerField(default=1)
    # A Mobility Metric's variable, or "local:<dataset id>:<area>" (walks.stations).
    variable = models.CharField(_("metric"), max_length=220)
    caption_en = models.TextField(_("caption (English)"), max_length=600)
    caption_es = models.TextField(_("caption (Spanish)"), max_length=600, blank=True)
    questions_en = models.JSONField(_("questions (English)"), default=list)
    questions_es = models.JSONField(_("questions (Spanish)"), default=list, blank=True)
    quick_reaction = models.BooleanField(_("ask for a quick reaction"), default=True)

    class Meta:
        ordering = ("walk", "position", "pk")
        verbose_name = _("station")
        verbose_name_plural = _("stations")

    def __str__(self) -> str:
        return f"{self.walk} #{self.position}"

    def caption(self, language: str) -> str:
        return (self.caption_es if language == "es" else "") or self.caption_en

    def questions(self, language: str) -> list[str]:
        """The station's questions in a language, each falling back to English."""
        spanish = self.questions_es if language == "es" else []
        return [
            (spanish[i] if i < len(spanish) and spanish[i] else q)
            for i, q in enumerate(self.questions_en)
        ]


class Participant(models.Model):
    """A resident on one walk, known only by a random device id (no account, no address)."""

    walk = models.ForeignKey(DataWalk, on_delete=models.CASCADE, related_name="participants")
    device_id = models.CharField(max_length=40)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    neighbourhood = models.CharField(_("neighbourhood"), max_length=80, blank=True)
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    race_ethnicity = models.CharField(
        _("race and ethnicity"), max_length=10, choices=RaceEthnicity.choices, blank=True
    )
    lived_experience = models.CharField(
        _("lived experience"), max_length=4, choices=LivedExperience.choices, blank=True
    )
    demographics_asked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("walk", "device_id"), name="walk_participant_device")
        ]

    def __str__(self) -> str:
        return f"Participant {self.pk}"


class Theme(models.Model):
    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="walk_themes"
    )
    name = models.CharField(_("theme"), max_length=80)

    class Meta:
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=("coalition", "name"), name="walk_theme_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Answer(models.Model):
    """What a resident (or a facilitated group) said or how they reacted at one station."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="answers")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(_("answer"), max_length=TEXT_LIMIT, blank=True)
    reaction = models.CharField(_("reaction"), max_length=20, choices=Reaction.choices, blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    status = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.PENDING
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="answers")
    is_quote = models.BooleanField(_("chosen quote"), default=False)
    facilitated = models.BooleanField(_("facilitated"), default=False)
    group_size = models.PositiveIntegerField(_("people in the group"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        "coalitions.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"Answer {self.pk}"

    @property
    def people(self) -> int:
        """How many residents this answer speaks for (a facilitated count, or one)."""
        return self.group_size or 1

    def question_text(self, language: str = "en") -> str:
        if self.question is None:
            return ""
        questions = self.station.questions(language)
        return questions[self.question] if self.question < len(questions) else ""


class ContactDetail(models.Model):
    """A way to reach a resident, left only by their choice; read only by the project manager."""

    participant = models.OneToOneField(
        Participant, on_delete=models.CASCADE, related_name="contact"
    )
    text = models.CharField(_("contact details"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Contact {self.pk}"


def _poster_path(instance: WalkExport, filename: str) -> str:
    return f"walks/{instance.walk.coalition_id}/{secrets.token_hex(8)}-{filename}"


class WalkExport(BackgroundJob):
    """The poster set of a walk as a PDF: one A3 page per station."""

    walk = models.ForeignKey(DataWalk, on_delete=models.CASCADE, related_name="exports")
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.EN)
    # The site's address as the person who asked for the posters reached it: the short link
    # and QR code printed on each poster start with it.
    site = models.CharField(max_length=200, blank=True)
    file = models.FileField(upload_to=_poster_path, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("poster export")
        verbose_name_plural = _("poster exports")

    def __str__(self) -> str:
        return f"Posters {self.pk} ({self.status})"
