"""Unit and integration tests for the foundation: CLI, councils, audit log, settings."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connection, transaction

from homeward.cli import translate
from homeward.core import audit, councils
from homeward.core.access import SYSTEM, actor_for
from homeward.core.models import AuditEvent, Organisation
from homeward.core.timefmt import age_text


def test_cli_translates_verb_noun_commands():
    assert translate(["import", "cqc", "a.csv", "--json"]) == ["import_cqc", "a.csv", "--json"]
    assert translate(["demo", "generate", "england", "--out", "x"]) == [
        "demo_generate",
        "england",
        "--out",
        "x",
    ]
    assert translate(["migrate"]) == ["migrate"]
    assert translate(["import", "--help"]) == ["import", "--help"]


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [("E0800009", "E08000009"), ("E060001", "E06000001"), ("E08000009", "E08000009")],
)
def test_malformed_council_codes_get_a_suggestion(raw, fixed):
    assert councils.suggest_code(raw) == fixed


@pytest.mark.parametrize("raw", ["E07000001", "X08000009", "E08", "E0812345678"])
def test_unfixable_codes_get_no_suggestion(raw):
    assert councils.suggest_code(raw) is None


def test_council_names_fold_spellings():
    assert councils.code_for_name("Trafford") == "E08000009"
    assert councils.code_for_name("Bristol, City of") == councils.code_for_name("Bristol")
    assert councils.code_for_name("Kingston upon Hull, City of") is not None
    assert councils.code_for_name("Atlantis") is None


def test_every_council_is_a_social_services_authority():
    codes = [code for code, _, _ in councils.reference()]
    assert len(codes) == len(set(codes)) >= 150
    assert all(councils.is_valid_code(c) for c in codes)


def test_age_text():
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    assert age_text(now - timedelta(seconds=20), now) == "just now"
    assert age_text(now - timedelta(minutes=1), now) == "1 minute ago"
    assert age_text(now - timedelta(hours=5), now) == "5 hours ago"
    assert age_text(now - timedelta(days=3), now) == "3 days ago"
    assert age_text(None, now) == "never"


@pytest.mark.django_db
def test_councils_are_seeded():
    assert Organisation.objects.filter(kind="council").count() >= 150


@pytest.mark.django_db
def test_audit_log_refuses_update(coordinator):
    event = audit.record(actor_for(coordinator), "test.read", object_type="x", object_id="1")
    assert event.organisation.code == "R0A"
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.read"


@pytest.mark.django_db
def test_audit_log_refuses_delete_on_postgresql(coordinator):
    event = audit.record(actor_for(coordinator), "test.read", object_type="x", object_id="1")
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite guards UPDATE only (see migration 0002)
        return
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_system_actor_is_recorded_as_system():
    event = audit.record(SYSTEM, "directory.import", object_type="file", object_id="a.csv")
    assert (event.username, event.user, event.organisation) == ("system", None, None)


@pytest.mark.django_db
def test_sign_in_pauses_after_repeated_failures(client, coordinator):
    cache.clear()
    for _ in range(5):
        response = client.post("/login/", {"username": "coordinator", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(
        "/login/", {"username": "coordinator", "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    cache.clear()
    response = client.post(
        "/login/", {"username": "coordinator", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
