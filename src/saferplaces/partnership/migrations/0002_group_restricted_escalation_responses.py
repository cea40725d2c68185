# Restricted (need-to-know) groups, and every answer to an escalation kept as a row.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def restrict_panels(apps, schema_editor):
    """Multi-agency panels handle people: restricted unless someone says otherwise."""
    Group = apps.get_model("partnership", "Group")
    Group.objects.filter(kind="panel").update(restricted=True)


def keep_current_answers(apps, schema_editor):
    """An escalation already answered keeps that answer as its first response."""
    Escalation = apps.get_model("partnership", "Escalation")
    EscalationResponse = apps.get_model("partnership", "EscalationResponse")
    EscalationResponse.objects.bulk_create(
        EscalationResponse(
            escalation_id=e.pk,
            status=e.status,
            text=e.resolution,
            by_id=e.resolved_by_id,
            on=e.resolved_on or e.raised_on,
        )
        for e in Escalation.objects.exclude(status="open").order_by("pk")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="group",
            name="restricted",
            field=models.BooleanField(
                default=False,
                help_text="Handles people: visible to its members and the partnership's administrators only. Multi-agency panels are restricted unless told otherwise.",
                verbose_name="Restricted (need to know)",
            ),
        ),
        migrations.RunPython(restrict_panels, migrations.RunPython.noop),
        migrations.CreateModel(
            name="EscalationResponse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("accepted", "Accepted"),
                            ("resolved", "Resolved"),
                            ("returned", "Returned"),
                        ],
                        max_length=10,
                    ),
                ),
                ("text", models.TextField(blank=True)),
                ("on", models.DateField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="escalation_responses",
                        to="partnership.person",
                    ),
                ),
                (
                    "escalation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="responses",
                        to="partnership.escalation",
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "id"],
            },
        ),
        migrations.RunPython(keep_current_answers, migrations.RunPython.noop),
    ]
