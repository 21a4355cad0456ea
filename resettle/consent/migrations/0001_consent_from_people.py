"""Take `Consent` over from the people app without touching its rows: the people app has already
renamed its tables to this app's names, so only the migration state changes here, plus the
content type (so that permissions and admin history follow the model) and the name of its index,
which Django derives from the table name."""

import uuid

import django.core.validators
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old_app: str, new_app: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if content_type.objects.using(db).filter(app_label=new_app, model="consent").exists():
        return
    content_type.objects.using(db).filter(app_label=old_app, model="consent").update(
        app_label=new_app
    )


def forwards(apps, schema_editor) -> None:
    move_content_type(apps, schema_editor, "people", "consent")


def backwards(apps, schema_editor) -> None:
    move_content_type(apps, schema_editor, "consent", "people")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("people", "0007_consent_table_for_consent"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "categories",
                            models.JSONField(default=list, help_text="Data category values."),
                        ),
                        ("organisation_kinds", models.JSONField(blank=True, default=list)),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("verbal", "Verbally"),
                                    ("written", "In writing"),
                                    ("digital", "Digitally"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "given_by",
                            models.CharField(
                                choices=[
                                    ("person", "The person themselves"),
                                    (
                                        "parental_responsibility",
                                        "Someone with parental responsibility",
                                    ),
                                    (
                                        "competence_assessed",
                                        "The child, assessed as competent to decide",
                                    ),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "given_by_name",
                            models.CharField(
                                blank=True,
                                help_text="Who gave it, when not the person themselves.",
                                max_length=200,
                            ),
                        ),
                        ("given_on", models.DateField()),
                        ("expires_on", models.DateField(blank=True, null=True)),
                        ("withdrawn_on", models.DateField(blank=True, null=True)),
                        (
                            "notes",
                            models.TextField(
                                blank=True,
                                validators=[django.core.validators.MaxLengthValidator(2000)],
                            ),
                        ),
                        (
                            "organisations",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="accounts.organisation"
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=models.deletion.CASCADE,
                                related_name="consents",
                                to="people.person",
                            ),
                        ),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "recorded_by_organisation",
                            models.ForeignKey(
                                null=True,
                                on_delete=models.deletion.SET_NULL,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                        (
                            "withdrawn_recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-given_on"],
                        "indexes": [
                            models.Index(
                                fields=["person", "withdrawn_on", "expires_on"],
                                name="people_cons_person__d54bda_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("expires_on__isnull", True),
                                    ("expires_on__gt", models.F("given_on")),
                                    _connector="OR",
                                ),
                                name="consent_expires_after_given",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("withdrawn_on__isnull", True),
                                    ("withdrawn_on__gte", models.F("given_on")),
                                    _connector="OR",
                                ),
                                name="consent_withdrawn_after_given",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RenameIndex(
            model_name="consent",
            new_name="consent_con_person__3445ea_idx",
            old_name="people_cons_person__d54bda_idx",
        ),
        migrations.RunPython(forwards, backwards),
    ]
