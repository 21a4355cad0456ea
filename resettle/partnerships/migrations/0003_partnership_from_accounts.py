"""Take `Partnership` over from the accounts app without touching its rows: the accounts app has
already renamed its tables to this app's names, so only the migration state changes here, plus
the content type, so that permissions and admin history follow the model."""

import uuid

from django.db import migrations, models


def move_content_type(apps, schema_editor, old_app: str, new_app: str) -> None:
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    if content_type.objects.using(db).filter(app_label=new_app, model="partnership").exists():
        return
    content_type.objects.using(db).filter(app_label=old_app, model="partnership").update(
        app_label=new_app
    )


def forwards(apps, schema_editor) -> None:
    move_content_type(apps, schema_editor, "accounts", "partnerships")


def backwards(apps, schema_editor) -> None:
    move_content_type(apps, schema_editor, "partnerships", "accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_partnership_table_for_partnerships"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnerships", "0002_alter_sharingagreement_recipient_kinds"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Partnership",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("name", models.CharField(max_length=200, unique=True)),
                        ("description", models.TextField(blank=True, max_length=2000)),
                        (
                            "organisations",
                            models.ManyToManyField(
                                related_name="partnerships", to="accounts.organisation"
                            ),
                        ),
                    ],
                    options={"ordering": ["name"]},
                ),
                migrations.AlterField(
                    model_name="sharingagreement",
                    name="partnership",
                    field=models.ForeignKey(
                        on_delete=models.deletion.CASCADE,
                        related_name="sharing_agreements",
                        to="partnerships.partnership",
                    ),
                ),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
