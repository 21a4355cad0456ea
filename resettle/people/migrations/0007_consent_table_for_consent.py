"""First step of moving `Consent` to the consent app, whose pages use it: rename its tables (and
its organisations join table) to the names the consent app gives them, so the rows stay where
they are. The consent app then takes the model over without touching the database, and
`0008_move_consent_to_consent` drops it from this app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_mentor_relationships_index"),
    ]

    operations = [
        migrations.AlterModelTable(name="consent", table="consent_consent"),
    ]
