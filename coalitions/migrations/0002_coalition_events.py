from django.db import migrations, models


class Migration(migrations.Migration):
    """The membership log becomes the coalition's audit log: plan and data events join it."""

    dependencies = [
        ("coalitions", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("MembershipEvent", "CoalitionEvent"),
        migrations.AlterField(
            model_name="coalitionevent",
            name="kind",
            field=models.CharField(
                        choices=[
                            ("created", "created the coalition"),
                            ("invited", "invited"),
                            ("invitation_resent", "sent the invitation again to"),
                            ("invitation_revoked", "revoked the invitation of"),
                            ("accepted", "accepted the invitation"),
                            ("role_changed", "changed the role of"),
                            ("removed", "removed"),
                            ("left", "left the coalition"),
                            ("handed_over", "handed the project manager role to"),
                            ("profile_changed", "changed the member details of"),
                            ("review_requested", "asked members to review the plan"),
                            ("review_decided", "recorded a review decision:"),
                            ("version_frozen", "froze the plan as version"),
                            ("version_published", "published plan version"),
                            ("version_unpublished", "unpublished plan version"),
                            ("export_started", "started a PDF export of"),
                            ("record_deleted", "deleted"),
                            ("data_imported", "loaded the local dataset"),
                            ("data_deleted", "deleted the local dataset"),
                            ("workspace_exported", "exported the whole workspace"),
                            ("workspace_imported", "imported a workspace"),
                            ("step_status_changed", "changed the status of"),
                        ],
                        max_length=32,
                    ),
        ),
    ]
