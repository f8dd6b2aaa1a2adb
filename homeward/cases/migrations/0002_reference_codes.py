"""The published code lists: the 18 reasons for not discharging in the acute discharge
collection, the legacy delayed-transfers-of-care reasons (2010 to February 2020), the four
discharge pathways and the task types a hub tracks. A new list is a data change."""

from datetime import date

from django.db import migrations

ACUTE_FROM = date(2022, 4, 1)
DELAY_REASONS = [
    "Awaiting a medical decision/intervention including writing the discharge summary",
    "Awaiting therapy decision to discharge",
    "Awaiting diagnostic test",
    "Awaiting medicines to take home",
    "Awaiting transport",
    "Awaiting community equipment and adaptations to housing",
    "Awaiting referral to community single point of access",
    "Awaiting confirmation from community hub/single point of access that referral received "
    "and actioned",
    "Declared as not meeting the criteria to reside at morning board round and later in the day "
    "meets them, so discharge stopped",
    "Homeless / no right of recourse to public funds / no place to discharge to",
    "Individual/family not in agreement with discharge plans",
    "No plan",
    "Pathway 1: awaiting availability of resource for assessment and start of care at home",
    "Pathway 2: awaiting availability of rehabilitation bed in community hospital or other "
    "bedded setting",
    "Pathway 3: awaiting availability of a bed in a residential or nursing home that is likely "
    "to be a permanent placement",
    "Remains in hospital to avoid spread of infectious disease, no other suitable location",
    "Repatriation / transfer to another acute trust",
    "Safeguarding concern preventing discharge or Court of Protection",
]
LEGACY_DTOC = [
    ("A", "Completion of assessment", date(2010, 8, 1)),
    ("B", "Public funding", date(2010, 8, 1)),
    ("C", "Further non-acute NHS care", date(2010, 8, 1)),
    ("Di", "Residential home", date(2010, 8, 1)),
    ("Dii", "Nursing home", date(2010, 8, 1)),
    ("E", "Care package in own home", date(2010, 8, 1)),
    ("F", "Community equipment and adaptations", date(2010, 8, 1)),
    ("G", "Patient or family choice", date(2010, 8, 1)),
    ("H", "Disputes", date(2010, 8, 1)),
    ("I", "Housing", date(2010, 8, 1)),
    ("O", "Other", date(2017, 4, 1)),
]
LEGACY_TO = date(2020, 2, 29)
PATHWAYS = [
    ("P0", "Pathway 0: home, no new support"),
    ("P1", "Pathway 1: home with new or restarted support"),
    ("P2", "Pathway 2: short-term bed-based rehabilitation or recovery"),
    ("P3", "Pathway 3: new care-home placement"),
]
TASK_TYPES = [
    ("assessment", "Assessment"),
    ("chc_checklist", "CHC checklist"),
    ("chc_decision", "CHC funding decision"),
    ("equipment", "Equipment"),
    ("transport", "Transport"),
    ("medicines", "Medicines to take home"),
    ("funding", "Funding decision"),
    ("family_meeting", "Family meeting"),
]


def seed(apps, schema_editor):
    Code = apps.get_model("cases", "ReferenceCode")
    rows = [
        Code(
            list="delay_reason", code=f"R{i:02d}", label=label, sort_order=i, valid_from=ACUTE_FROM
        )
        for i, label in enumerate(DELAY_REASONS, start=1)
    ]
    rows += [
        Code(
            list="legacy_dtoc",
            code=c,
            label=label,
            sort_order=i,
            valid_from=start,
            valid_to=LEGACY_TO,
        )
        for i, (c, label, start) in enumerate(LEGACY_DTOC)
    ]
    rows += [
        Code(list="pathway", code=c, label=label, sort_order=i, valid_from=date(2020, 8, 21))
        for i, (c, label) in enumerate(PATHWAYS)
    ]
    rows += [
        Code(list="task_type", code=c, label=label, sort_order=i, valid_from=ACUTE_FROM)
        for i, (c, label) in enumerate(TASK_TYPES)
    ]
    Code.objects.bulk_create(rows)


def unseed(apps, schema_editor):
    apps.get_model("cases", "ReferenceCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
