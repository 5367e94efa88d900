from django.contrib import admin

from coalitions.models import (
    BulkInvitation,
    Coalition,
    CoalitionEvent,
    Invitation,
    Membership,
    WorkingGroup,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Coalition)
class CoalitionAdmin(admin.ModelAdmin):
    list_display = ("name", "geography", "created_at")
    search_fields = ("name", "geography__name")
    raw_id_fields = ("geography", "created_by")
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "coalition", "role", "created_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "coalition__name")
    exclude = ("token_hash",)
    raw_id_fields = ("coalition", "invited_by", "accepted_by")


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "coalition")
    raw_id_fields = ("coalition", "lead")
    filter_horizontal = ("members",)


@admin.register(CoalitionEvent)
class CoalitionEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "coalition", "actor", "kind", "subject_email")
    list_filter = ("kind",)

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is read-only


@admin.register(BulkInvitation)
class BulkInvitationAdmin(admin.ModelAdmin):
    list_display = ("id", "coalition", "status", "started_by", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in BulkInvitation._meta.fields]
