from django.contrib import admin

from walks.models import DataWalk, Station, WalkExport


class StationInline(admin.TabularInline):
    model = Station
    extra = 0


@admin.register(DataWalk)
class DataWalkAdmin(admin.ModelAdmin):
    list_display = ("title_en", "coalition", "status", "created_at")
    list_filter = ("status",)
    inlines = [StationInline]
    # Residents' answers and contact details stay out of the admin: the coalition moderates them.


@admin.register(WalkExport)
class WalkExportAdmin(admin.ModelAdmin):
    list_display = ("pk", "walk", "status", "created_at")
