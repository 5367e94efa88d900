from django.contrib import admin

from metrics.models import Geography, Metric, MetricImport, Pillar, Predictor, Release


@admin.register(Geography)
class GeographyAdmin(admin.ModelAdmin):
    list_display = ("name", "state_name", "kind", "fips", "first_year", "last_year")
    list_filter = ("kind",)
    search_fields = ("name", "fips", "state_name")


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "position")


@admin.register(Predictor)
class PredictorAdmin(admin.ModelAdmin):
    list_display = ("name", "pillar", "slug")
    list_filter = ("pillar",)


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ("variable", "label", "predictor", "unit", "direction")
    list_filter = ("predictor__pillar", "unit", "direction")
    search_fields = ("variable", "label")


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "activated_by", "activated_at", "created_at")


@admin.register(MetricImport)
class MetricImportAdmin(admin.ModelAdmin):
    list_display = ("original_name", "release", "status", "progress_done", "created_at")
    list_filter = ("status", "release")
    readonly_fields = [f.name for f in MetricImport._meta.fields]
