"""`Partnership` now belongs to the partnerships app: forget it here. The table stays (renamed by
0002), so nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_partnership_table_for_partnerships"),
        ("partnerships", "0003_partnership_from_accounts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Partnership")],
        ),
    ]
