"""First step of moving `Partnership` to the partnerships app, whose pages use it: rename its
tables (and its organisations join table) to the names the partnerships app gives them, so the
rows stay where they are. The partnerships app then takes the model over without touching the
database, and `0003_move_partnership_to_partnerships` drops it from this app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelTable(name="partnership", table="partnerships_partnership"),
    ]
