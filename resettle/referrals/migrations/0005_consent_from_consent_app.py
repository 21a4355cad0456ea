"""A referral's consent is now the consent app's model; same table, so only the state changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0001_consent_from_people"),
        ("referrals", "0004_sqlite_covering_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="referral",
                    name="consent",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="referrals",
                        to="consent.consent",
                    ),
                ),
            ],
        ),
    ]
