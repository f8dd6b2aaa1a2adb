"""The care types Homeward knows, each with how long a vacancy figure stays trustworthy.
Bed availability changes daily, so beds go stale after a day; home-care hours after three."""

from django.db import migrations

CARE_TYPES = [
    ("residential", "Residential", True, 24),
    ("nursing", "Nursing", True, 24),
    ("residential-dementia", "Residential (dementia)", True, 24),
    ("nursing-dementia", "Nursing (dementia)", True, 24),
    ("d2a-bed", "Discharge-to-assess / step-down bed", True, 12),
    ("respite", "Respite", True, 48),
    ("home-care", "Home care", False, 72),
    ("reablement", "Reablement", False, 48),
    ("live-in", "Live-in care", False, 72),
    ("supported-living", "Supported living", False, 168),
    ("hospice", "Hospice", True, 24),
]


def seed(apps, schema_editor):
    CareType = apps.get_model("directory", "CareType")
    CareType.objects.bulk_create(
        [
            CareType(code=c, name=n, bed_based=b, stale_after_hours=h, sort_order=i)
            for i, (c, n, b, h) in enumerate(CARE_TYPES)
        ]
    )


def unseed(apps, schema_editor):
    apps.get_model("directory", "CareType").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
