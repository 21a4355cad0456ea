"""Seed Resettle's pathway vocabulary: one taxonomy term per pathway, so the directory and the
Open Referral UK feed have it from the start (services.pathway_taxonomy keeps it complete)."""

from django.db import migrations

# The pathways as of this migration (resettle.core.pathways.Pathway), frozen here on purpose.
PATHWAYS = [
    ("accommodation", "Accommodation"),
    ("education_employment", "Education, training and employment"),
    ("health", "Health (including mental health)"),
    ("drugs_alcohol", "Drugs and alcohol"),
    ("finance_benefit_id", "Finance, benefit, debt and ID"),
    ("children_families", "Children and families"),
    ("attitudes_behaviour", "Attitudes, thinking and behaviour"),
    ("sport", "Sport and physical activity"),
    ("mentoring", "Mentoring"),
]


def seed(apps, schema_editor):
    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy, _ = Taxonomy.objects.get_or_create(
        name="Resettle pathways",
        defaults={
            "description": "The seven resettlement pathways, with sport and physical activity "
            "and mentoring as service types (Resettle's own vocabulary)."
        },
    )
    for code, name in PATHWAYS:
        TaxonomyTerm.objects.get_or_create(taxonomy=taxonomy, code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
