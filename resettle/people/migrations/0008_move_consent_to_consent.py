"""`Consent` now belongs to the consent app: forget it here, once referrals point at the consent
app's model. The table stays (renamed by 0007), so nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_consent_table_for_consent"),
        ("consent", "0001_consent_from_people"),
        ("referrals", "0005_consent_from_consent_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Consent")],
        ),
    ]
