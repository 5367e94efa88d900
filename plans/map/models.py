"""Strategy records (Steps 7–8) and the Mobility Action Plan built from them (Step 9).

Vision, theories of change, priority areas and strategic actions are real rows, not worksheet
answers, because the measurement plan must follow every element of the logic model (rule 0.4-4)
and the MAP, its reviews, frozen versions and PDF exports all point at them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.models import BackgroundJob
from plans import theory_of_change


class Vision(models.Model):
    """The community vision statement (W7.2), one per coalition."""

    coalition = models.OneToOneField(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_vision"
    )
    statement = models.TextField(_("community vision statement"), max_length=1000, blank=True)
    adopted_on = models.DateField(_("date adopted"), null=True, blank=True)
    adopted_how = models.CharField(_("how it was adopted"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.statement[:60]

    @property
    def word_count(self) -> int:
        return len(self.statement.split())


class PriorityArea(models.Model):
    """A priority area for action (W7.1), tied to a pillar and some of its predictors."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="priority_areas"
    )
    name = models.CharField(_("name"), max_length=150)
    pillar = models.CharField(_("pillar"), max_length=80, blank=True)
    predictors = models.JSONField(_("predictors"), default=list, blank=True)
    rationale = models.TextField(_("why it matters here"), max_length=2000, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.name


class TheoryOfChange(models.Model):
    """W7.3: one for the whole plan (no priority area) or one per priority area."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="theories_of_change"
    )
    priority_area = models.OneToOneField(
        PriorityArea,
        verbose_name=_("priority area"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="theory_of_change",
    )
    # The parts are phrases that complete one sentence (plans.theory_of_change).
    problem = models.TextField(_("problem (what must change)"), max_length=2000)
    solution = models.TextField(_("strategies (what we will do)"), max_length=2000)
    impact_medium = models.TextField(_("medium-term result"), max_length=2000, blank=True)
    impact_long = models.TextField(_("long-term result"), max_length=2000, blank=True)
    statement = models.TextField(_("statement, as edited"), max_length=3000, blank=True)
    # Empty while nobody has saved it on its page or through the API since it was filled in
    # from the worksheets (or since the sentence changed): the pre-freeze check asks for a look.
    edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("priority_area__position", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("coalition",),
                condition=Q(priority_area__isnull=True),
                name="map_one_overall_theory",
            )
        ]

    def __str__(self) -> str:
        return self.final_statement[:60]

    @property
    def parts(self) -> dict[str, str]:
        return {part: getattr(self, part) for part in theory_of_change.PARTS}

    @property
    def formula_statement(self) -> str:
        """The sentence joined from the four parts."""
        return theory_of_change.sentence(self.parts)

    @property
    def final_statement(self) -> str:
        """What the plan prints: the coalition's own text, else the joined sentence."""
        return self.statement.strip() or self.formula_statement

    @property
    def has_own_text(self) -> bool:
        return bool(self.statement.strip())

    @property
    def part_problems(self) -> dict[str, str]:
        """Parts that do not read as the phrases the sentence needs (none with own text)."""
        return {} if self.has_own_text else theory_of_change.part_problems(self.parts)


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    # "Done" alone is ambiguous for translators: here an action that is finished (Spanish
    # "Terminada"), on the action page the column of the day a milestone was done.
    DONE = "done", pgettext_lazy("implementation status of an action", "Done")
    STALLED = "stalled", _("Stalled")
    DROPPED = "dropped", _("Dropped")


# A stalled or dropped action must say why.
STATUSES_WITH_REASON = (ImplementationStatus.STALLED, ImplementationStatus.DROPPED)


class StrategicAction(models.Model):
    """One row of the systems change logic model (W7.4)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="strategic_actions"
    )
    priority_area = models.ForeignKey(
        PriorityArea,
        verbose_name=_("priority area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    title = models.CharField(_("strategic action"), max_length=300)
    description = models.TextField(_("description"), max_length=3000, blank=True)
    action_types = models.JSONField(_("type of action"), default=list, blank=True)
    systems_conditions = models.JSONField(_("systems conditions shifted"), default=list, blank=True)
    target_population = models.TextField(_("who benefits"), max_length=2000, blank=True)
    lead_organisation = models.CharField(_("lead organization"), max_length=200, blank=True)
    partners = models.CharField(_("partners"), max_length=500, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    working_group = models.ForeignKey(
        "coalitions.WorkingGroup",
        verbose_name=_("working group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategic_actions",
    )
    estimated_cost = models.DecimalField(
        _("estimated cost (US dollars)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    funding_source = models.CharField(_("funding source"), max_length=300, blank=True)
    # a key of the ``funding_status`` list of plans/data/options.yaml (secured, requested...)
    funding_status = models.CharField(_("funding status"), max_length=20, blank=True)
    decision_asked = models.TextField(
        _("decision asked of the government"), max_length=2000, blank=True
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Implementation (Step 10, plans.implementation): where the action stands. A stalled or
    # dropped action says why; the reason is internal unless a project manager publishes it
    # with the scorecard (ScorecardPublication.show_reasons).
    status = models.CharField(
        _("implementation status"),
        max_length=12,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    status_reason = models.TextField(_("why"), max_length=2000, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    owner = models.ForeignKey(
        "coalitions.Membership",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_actions",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "pk")

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    """A dated step of a strategic action's implementation (the MAP's implementation table)."""

    action = models.ForeignKey(StrategicAction, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=300)
    due_date = models.DateField(_("due date"))
    position = models.PositiveSmallIntegerField(default=0)
    # Ticked done (plans.implementation.services.milestone_done_set): when, and by whom.
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("action", "due_date", "position", "pk")

    def __str__(self) -> str:
        return self.title


MAX_GOALS_PER_AREA = 3


class HeadlineGoal(models.Model):
    """One of the one to three headline indicators of a priority area, with its numbers.

    The source is a Mobility Metric (``metric_variable``) or one of the coalition's local
    datasets (``local_dataset``). Values are stored as the source stores them (a share as
    0.399, a text ratio as a divided by b) in ``unit``, so charts, the plan and the scorecard
    format and compare them with the metrics app's one formatter. ``gap_target`` is the
    subgroup's difference to the whole population aimed at by the target date (subgroup
    minus whole, in the same unit).
    """

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="headline_goals"
    )
    priority_area = models.ForeignKey(
        PriorityArea,
        verbose_name=_("priority area"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    position = models.PositiveSmallIntegerField(default=0)
    metric_variable = models.CharField(_("Mobility Metric"), max_length=80, blank=True)
    local_dataset = models.ForeignKey(
        "metrics.LocalDataset",
        verbose_name=_("local dataset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    indicator = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=30, default="number")
    baseline_value = models.FloatField(_("baseline"))
    baseline_date = models.DateField(_("baseline date"))
    target_value = models.FloatField(_("target"))
    target_date = models.DateField(_("target date"))
    subgroup = models.CharField(_("subgroup"), max_length=80, blank=True)
    gap_target = models.FloatField(_("gap target"), null=True, blank=True)
    note = models.TextField(_("note"), max_length=1000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("priority_area__position", "priority_area_id", "position", "pk")

    def __str__(self) -> str:
        return self.indicator

    @property
    def baseline_year(self) -> int:
        return self.baseline_date.year

    @property
    def source_kind(self) -> str:
        return "metric" if self.metric_variable else "local"


class ElementKind(models.TextChoices):
    INPUT = "input", _("Input")
    OUTPUT = "output", _("Output")
    OUTCOME_SHORT = "outcome_short", _("Short-term outcome")
    OUTCOME_MEDIUM = "outcome_medium", _("Medium-term outcome")
    OUTCOME_LONG = "outcome_long", _("Long-term outcome")


class LogicElement(models.Model):
    """One input, output or outcome of a strategic action: what a measure measures."""

    action = models.ForeignKey(StrategicAction, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=16, choices=ElementKind.choices)
    text = models.CharField(max_length=500)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("action", "kind", "position", "pk")

    def __str__(self) -> str:
        return self.text


class Measure(models.Model):
    """A row of the measurement plan (W8.1), kept in step with one logic model element.

    When its element is deleted the row stays, with ``element`` empty and ``orphaned_at`` set,
    and the element's last wording kept in ``element_text``: a measure someone wrote is never
    silently lost.
    """

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="measures"
    )
    element = models.OneToOneField(
        LogicElement, null=True, blank=True, on_delete=models.SET_NULL, related_name="measure"
    )
    action_title = models.CharField(max_length=300, blank=True)
    element_kind = models.CharField(max_length=16, choices=ElementKind.choices)
    element_text = models.CharField(max_length=500, blank=True)
    orphaned_at = models.DateTimeField(null=True, blank=True)
    measure = models.CharField(_("measure of progress"), max_length=300, blank=True)
    kind = models.CharField(_("kind of measure"), max_length=20, blank=True)
    metric_variable = models.CharField(_("Mobility Metric"), max_length=80, blank=True)
    baseline = models.CharField(_("baseline"), max_length=100, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    target = models.CharField(_("target"), max_length=100, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    # The numbers behind ``baseline`` and ``target`` (plans.tracking): stored as the metrics
    # app stores values of ``unit`` (a share as 0.399). Text that reads as no number keeps
    # its value empty and is shown as written.
    unit = models.CharField(_("unit"), max_length=30, default="number")
    baseline_value = models.FloatField(_("baseline (number)"), null=True, blank=True)
    target_value = models.FloatField(_("target (number)"), null=True, blank=True)
    # The subgroups values may be given for (besides everyone), e.g. ["Black", "Hispanic"].
    subgroups = models.JSONField(_("subgroups"), default=list, blank=True)
    local_dataset = models.ForeignKey(
        "metrics.LocalDataset",
        verbose_name=_("local dataset"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A target on a gap: e.g. close the gap between ``gap_subgroup`` and everyone by half.
    gap_subgroup = models.CharField(_("subgroup (for a gap target)"), max_length=80, blank=True)
    gap_reduction_percent = models.PositiveSmallIntegerField(
        _("reduce the gap by (%)"), null=True, blank=True
    )
    disaggregation = models.JSONField(_("broken down by"), default=list, blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    frequency = models.CharField(_("how often"), max_length=20, blank=True)
    responsible = models.CharField(_("who gathers and reports it"), max_length=200, blank=True)
    audience = models.JSONField(_("reported to"), default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("element__action__position", "element__action_id", "element_kind", "pk")

    def __str__(self) -> str:
        return self.measure or self.element_text

    @property
    def is_orphaned(self) -> bool:
        return self.orphaned_at is not None

    @property
    def missing(self) -> list[str]:
        """What the coverage view asks for: measure, owner, source, frequency."""
        gaps = []
        if not self.measure:
            gaps.append("measure")
        if not self.responsible:
            gaps.append("owner")
        if not self.data_source:
            gaps.append("source")
        if not self.frequency:
            gaps.append("frequency")
        return gaps


class SectionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


class MapSectionDraft(models.Model):
    """The coalition's text for one MAP section (M0–M11): narrative, owner and status."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_sections"
    )
    key = models.CharField(max_length=4)
    # In the plan's language (PlanSettings.plan_language); the same text in the plan's second
    # language sits in ``translations`` under its language code, so both are edited side by
    # side and a bilingual plan prints either or both.
    narrative = models.TextField(_("narrative (Markdown)"), max_length=20000, blank=True)
    translations = models.JSONField(_("narrative in other languages"), default=dict, blank=True)
    owner = models.ForeignKey(
        "coalitions.Membership",
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="map_sections",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=SectionStatus.choices, default=SectionStatus.DRAFT
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("coalition", "key"), name="map_section_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"

    def narrative_in(self, language: str, primary: str) -> str:
        """The narrative in ``language``, when the plan's own language is ``primary``."""
        if language == primary:
            return self.narrative
        return str((self.translations or {}).get(language, ""))


class ReviewRound(models.Model):
    """A request by the project manager for members to review the draft MAP (Step 7.5)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_review_rounds"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note to reviewers"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)  # approved | revise

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"Review {self.pk}"


class Decision(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    APPROVED_WITH_CHANGES = "approved_with_changes", _("Approved with changes")
    REVISE = "revise", _("Revise and resubmit")


class ReviewerType(models.TextChoices):
    LEADERSHIP = "leadership", _("Local government leadership")
    IMPLEMENTERS = "implementers", _("Department heads or implementing partners")
    COMMUNITY = "community", _("Community members or advisory board")
    COALITION = "coalition", _("Full coalition")
    LEGAL_BUDGET = "legal_budget", _("Legal or budget review")
    OTHER = "other", _("Other")


class Review(models.Model):
    """One reviewer's decision in a round."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        "coalitions.Membership", on_delete=models.CASCADE, related_name="map_reviews"
    )
    reviewer_type = models.CharField(
        max_length=20, choices=ReviewerType.choices, default=ReviewerType.COALITION
    )
    decision = models.CharField(max_length=24, choices=Decision.choices, default=Decision.PENDING)
    comment = models.TextField(_("comment"), max_length=5000, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("round", "pk")
        constraints = [
            models.UniqueConstraint(fields=("round", "reviewer"), name="map_review_unique")
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.decision}"


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: may appear in the plan")
    INTERNAL = "internal", _("Internal: working material, never published")


class MapVisibility(models.Model):
    """A project manager's choice of a feeding worksheet field's visibility for the coalition,
    overriding the default of its definition (``visibility:`` in plans/data). ``field_path`` is
    ``field`` or ``field.column``."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_visibilities"
    )
    worksheet_key = models.CharField(max_length=10)
    field_path = models.CharField(max_length=120)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("worksheet_key", "field_path")
        constraints = [
            models.UniqueConstraint(
                fields=("coalition", "worksheet_key", "field_path"), name="map_visibility_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.worksheet_key}.{self.field_path}: {self.visibility}"


class SectionChoice(models.Model):
    """Which rows of a feeding worksheet's table (``field_key``), or which records of a
    repeating worksheet (``field_key`` empty), one MAP section publishes. Without a choice
    every row is published; ``rows`` holds the chosen rows' ids (``presentation.row_id``)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_section_choices"
    )
    section_key = models.CharField(max_length=4)
    worksheet_key = models.CharField(max_length=10)
    field_key = models.CharField(max_length=60, blank=True)
    rows = models.JSONField(default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("section_key", "worksheet_key", "field_key")
        constraints = [
            models.UniqueConstraint(
                fields=("coalition", "section_key", "worksheet_key", "field_key"),
                name="map_section_choice_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.section_key} {self.worksheet_key}.{self.field_key}: {len(self.rows)} rows"


def _public_token() -> str:
    return secrets.token_urlsafe(18)


class MapVersion(models.Model):
    """A frozen MAP: the whole document as it stood, never changed afterwards.

    ``document`` holds everything the PDF and the public page show, so a later edit of a
    section, an action or a metric release cannot change what was frozen.
    """

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="map_versions"
    )
    number = models.PositiveIntegerField()
    # In the plan's language; ``translations`` holds the same version built in the plan's
    # second language (language code → document), frozen in the same moment.
    document = models.JSONField()
    translations = models.JSONField(default=dict, blank=True)
    release_name = models.CharField(_("metrics release"), max_length=40, blank=True)
    approved = models.BooleanField(default=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    # The pre-freeze check as it stood (plans.map.checks; None: frozen before the check
    # existed) and the project manager's reason to freeze despite its findings. Internal:
    # never part of ``document``.
    check_findings = models.JSONField(_("pre-freeze check"), null=True, blank=True)
    check_override_reason = models.TextField(
        _("reason to freeze despite the check"), max_length=2000, blank=True
    )
    public_token = models.CharField(max_length=40, unique=True, default=_public_token)

    class Meta:
        ordering = ("-number",)
        constraints = [
            models.UniqueConstraint(fields=("coalition", "number"), name="map_version_unique")
        ]

    def __str__(self) -> str:
        return f"MAP v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def public_path(self) -> str:
        """Where the version can be read without signing in, once published."""
        return reverse("map_public:plan", args=[self.public_token])

    @property
    def languages(self) -> list[str]:
        """The languages this version was frozen in, its plan's own language first."""
        first = str(self.document.get("language") or settings.LANGUAGE_CODE)
        return [first, *(code for code in self.translations or {} if code != first)]

    def document_in(self, language: str | None = None) -> dict:
        """The frozen document in ``language`` (one of ``languages``), else in the first."""
        if language and language != self.languages[0] and language in (self.translations or {}):
            return dict(self.translations[language])
        return dict(self.document)


class ExportKind(models.TextChoices):
    PLAN = "plan", _("The full plan")
    SUMMARY = "summary", _("The executive summary")
    PROGRESS = "progress", _("A progress report")


# What the plan's pages and the map-exports API export (a progress report is started from its
# own page, with its period).
PLAN_EXPORT_KINDS = [(k, v) for k, v in ExportKind.choices if k != ExportKind.PROGRESS]


class ExportFormat(models.TextChoices):
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Word")


EXPORT_CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


# An export's language: every language of the plan, one after the other in one file.
BOTH_LANGUAGES = "both"


def _export_path(instance: PlanExport, filename: str) -> str:
    return f"plan-exports/{instance.coalition_id}/{secrets.token_hex(16)}.{instance.format}"


class PlanExport(BackgroundJob):
    """A file of the MAP: the full plan or its executive summary, as PDF or Word, of a frozen
    version or of the current draft (``version`` empty)."""

    coalition = models.ForeignKey(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="plan_exports"
    )
    version = models.ForeignKey(
        MapVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="exports"
    )
    # The frozen progress report a PROGRESS export renders (plans.implementation).
    report = models.ForeignKey(
        "plans.ProgressReport",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="exports",
    )
    kind = models.CharField(
        _("what"), max_length=10, choices=ExportKind.choices, default=ExportKind.PLAN
    )
    format = models.CharField(
        _("format"), max_length=8, choices=ExportFormat.choices, default=ExportFormat.PDF
    )
    # A language code, BOTH (each of the plan's languages, one after the other in one file),
    # or empty: the plan's own language.
    language = models.CharField(_("language"), max_length=10, blank=True)
    file = models.FileField(upload_to=_export_path, blank=True)
    size = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)

    TASK = "plans.map.tasks.plan_export_run_task"
    RESULT_FIELDS = ("file", "size", "pages")

    class Meta(BackgroundJob.Meta):
        verbose_name = _("plan export")
        verbose_name_plural = _("plan exports")
        # One export of each file (kind and format) of a version, or of the draft, at a time;
        # two constraints because NULL versions are never equal in a unique index.
        constraints = [
            models.UniqueConstraint(
                fields=["coalition", "version", "kind", "format", "language"],
                condition=models.Q(status__in=["pending", "running"], version__isnull=False),
                name="map_export_one_active_per_version_file",
            ),
            models.UniqueConstraint(
                fields=["coalition", "kind", "format", "language"],
                condition=models.Q(
                    status__in=["pending", "running"], version__isnull=True, report__isnull=True
                ),
                name="map_export_one_active_draft_file",
            ),
            # A progress report's files: one of each format at a time, per report.
            models.UniqueConstraint(
                fields=["report", "format"],
                condition=models.Q(status__in=["pending", "running"], report__isnull=False),
                name="map_export_one_active_report_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} ({self.kind}, {self.format}, {self.status})"

    @property
    def content_type(self) -> str:
        return EXPORT_CONTENT_TYPES[ExportFormat(self.format)]

    @property
    def language_label(self) -> str:
        """The export's language as a reader says it; empty for the plan's own language."""
        if self.language == BOTH_LANGUAGES:
            return str(_("Both languages"))
        return str(dict(settings.LANGUAGES).get(self.language, self.language))

    @property
    def download_name(self) -> str:
        """The file's name for a reader: mobility-action-plan[-summary]-v2.pdf."""
        if self.kind == ExportKind.PROGRESS and self.report is not None:
            return f"progress-report-{self.report.period_end:%Y-%m-%d}.{self.format}"
        stem = "mobility-action-plan" + ("-summary" if self.kind == ExportKind.SUMMARY else "")
        suffix = f"v{self.version.number}" if self.version else "draft"
        if self.language:
            suffix += "-" + ("bilingual" if self.language == BOTH_LANGUAGES else self.language)
        return f"{stem}-{suffix}.{self.format}"


class PageSize(models.TextChoices):
    LETTER = "letter", _("US Letter")
    A4 = "a4", _("A4")


def _logo_path(instance: PlanSettings, filename: str) -> str:
    # A new name for every upload: frozen versions keep pointing at the logo they were made with.
    ext = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(
        instance.logo_type, "img"
    )
    return f"plan-logos/{instance.coalition_id}/{secrets.token_hex(16)}.{ext}"


class PlanSettings(models.Model):
    """How the coalition's plan document looks: its cover and front matter, page size and
    language. One per coalition, edited by the project manager."""

    coalition = models.OneToOneField(
        "coalitions.Coalition", on_delete=models.CASCADE, related_name="plan_settings"
    )
    logo = models.FileField(_("logo"), upload_to=_logo_path, blank=True)
    logo_name = models.CharField(_("logo file name"), max_length=200, blank=True)
    logo_type = models.CharField(max_length=20, blank=True)
    logo_width = models.PositiveIntegerField(default=0)
    logo_height = models.PositiveIntegerField(default=0)
    acknowledgements = models.TextField(_("acknowledgements"), max_length=5000, blank=True)
    # The acknowledgements in the plan's second language (language code → Markdown).
    acknowledgements_translations = models.JSONField(default=dict, blank=True)
    page_size = models.CharField(
        _("page size"), max_length=10, choices=PageSize.choices, default=PageSize.LETTER
    )
    language = models.CharField(
        _("language of the plan"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # A bilingual coalition keeps its narrative in a second language too, side by side.
    second_language = models.CharField(
        _("second language of the plan"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return f"Plan settings of coalition {self.coalition_id}"

    @property
    def plan_language(self) -> str:
        """The language the plan is written in: the one chosen, else the site's default."""
        return self.language or settings.LANGUAGE_CODE

    def acknowledgements_in(self, language: str) -> str:
        """The acknowledgements in ``language``: the plan's own text, or its translation."""
        if language == self.plan_language:
            return self.acknowledgements
        return str((self.acknowledgements_translations or {}).get(language, ""))

    @property
    def plan_languages(self) -> list[str]:
        """The plan's languages: its own, then the second one if it has one."""
        first = self.plan_language
        return [first] + ([self.second_language] if self.second_language not in ("", first) else [])


__all__ = [
    "BOTH_LANGUAGES",
    "Decision",
    "ElementKind",
    "ExportFormat",
    "ExportKind",
    "LogicElement",
    "MapSectionDraft",
    "MapVisibility",
    "HeadlineGoal",
    "ImplementationStatus",
    "MapVersion",
    "Measure",
    "Milestone",
    "PLAN_EXPORT_KINDS",
    "PageSize",
    "PlanExport",
    "PlanSettings",
    "PriorityArea",
    "Review",
    "ReviewRound",
    "ReviewerType",
    "SectionChoice",
    "SectionStatus",
    "StrategicAction",
    "TheoryOfChange",
    "Vision",
    "Visibility",
]
