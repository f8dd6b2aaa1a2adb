"""The indicators the live view knows. Fed ones arrive from other systems as readings; the
others Homeward works out from its own cases and capacity reports. They are data: an area can
live with more indicators without a code change."""

from django.db import migrations

HIGHER = "higher_is_worse"
LOWER = "lower_is_worse"
DAY = 24 * 60

# code, name, unit, direction, stale after minutes, fed, description
INDICATORS = [
    (
        "ambulance-handover-mean",
        "Ambulance handover time (mean)",
        "min",
        HIGHER,
        120,
        True,
        "Mean minutes from an ambulance's arrival at hospital to the handover of care",
    ),
    (
        "ambulance-handovers-over-60",
        "Ambulance handovers over 60 minutes",
        "handovers",
        HIGHER,
        120,
        True,
        "Handovers that took more than 60 minutes since midnight",
    ),
    (
        "gp-appointments-same-day",
        "GP appointments available today",
        "appointments",
        LOWER,
        240,
        True,
        "Unbooked GP practice appointments for today",
    ),
    (
        "gp-appointments-next-day",
        "GP appointments available tomorrow",
        "appointments",
        LOWER,
        720,
        True,
        "Unbooked GP practice appointments for the next working day",
    ),
    (
        "beds-ga-occupied",
        "General and acute beds occupied",
        "beds",
        HIGHER,
        DAY,
        True,
        "Adult general and acute beds occupied at a hospital site",
    ),
    (
        "beds-ga-free",
        "General and acute beds free",
        "beds",
        LOWER,
        DAY,
        True,
        "Adult general and acute beds open and free at a hospital site",
    ),
    (
        "people-not-meeting-ctr",
        "People not meeting the criteria to reside",
        "people",
        HIGHER,
        DAY,
        False,
        "Open discharge cases with a discharge ready date",
    ),
    (
        "people-waiting-21-days",
        "People waiting 21 days or more",
        "people",
        HIGHER,
        DAY,
        False,
        "Open discharge cases whose discharge ready date is 21 or more days ago",
    ),
    (
        "care-home-beds-free",
        "Care-home beds free now",
        "beds",
        LOWER,
        DAY,
        False,
        "Free beds in fresh vacancy reports from homes put forward in the area's councils",
    ),
    (
        "home-care-hours-free",
        "Home-care hours free a week",
        "hours",
        LOWER,
        DAY,
        False,
        "Free hours a week in fresh reports from home-care services in the area's councils",
    ),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("live", "Indicator")
    for order, (code, name, unit, direction, stale, fed, description) in enumerate(INDICATORS):
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "stale_after_minutes": stale,
                "fed": fed,
                "description": description,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("live", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
