from django.contrib import admin

from core.models import DiagnosticJob


@admin.register(DiagnosticJob)
class DiagnosticJobAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "worker", "started_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in DiagnosticJob._meta.fields]
