"""Seed England's councils and the national body; make the audit log append-only in the
database itself, so no code path (or person with a SQL prompt) can rewrite history.

PostgreSQL refuses UPDATE and DELETE of any audit row. SQLite, the single-user development
database, refuses UPDATE only: Django's test flush empties tables with DELETE there, while on
PostgreSQL it uses TRUNCATE, which is left to the database owner."""

from django.db import migrations

from homeward.core.councils import reference

GUARD = {
    "postgresql": [
        """
        CREATE OR REPLACE FUNCTION core_auditevent_refuse_change() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP;
        END;
        $$ LANGUAGE plpgsql;
        """,
        """
        CREATE TRIGGER core_auditevent_append_only
        BEFORE UPDATE OR DELETE ON core_auditevent
        FOR EACH ROW EXECUTE FUNCTION core_auditevent_refuse_change();
        """,
    ],
    "sqlite": [
        """
        CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
        BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused'); END;
        """,
    ],
}
UNGUARD = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
        "DROP FUNCTION IF EXISTS core_auditevent_refuse_change()",
    ],
    "sqlite": [
        "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    ],
}


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


def seed(apps, schema_editor):
    Organisation = apps.get_model("core", "Organisation")
    Organisation.objects.bulk_create(
        [
            Organisation(kind="council", code=code, name=name, region=region)
            for code, name, region in reference()
        ]
        + [Organisation(kind="national", code="E92000001", name="England")]
    )


def unseed(apps, schema_editor):
    apps.get_model("core", "Organisation").objects.filter(kind__in=["council", "national"]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(_run(GUARD), _run(UNGUARD)),
    ]
