"""Sending each notification email once. Callers say what the message is and which delivery
row identifies it (a model with the fields of `core.models.Delivery`); this module locks the
row, sends, and records the outcome, so two workers never send the same message twice and a
failed send is retried on the next run until it has failed MAX_ATTEMPTS times. (SQLite has
no row locks: run one alerts job at a time there.)"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.db.models import Q

from homeward.core import clock

MAX_ATTEMPTS = 5
# Delivery rows still to send: not sent, and not yet given up on.
PENDING = Q(sent_at=None, attempts__lt=MAX_ATTEMPTS)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    skipped_no_email: int = 0


def send_once(
    model: type[models.Model],
    identity: dict[str, Any],
    subject: str,
    body: str,
    report: DeliveryReport,
) -> None:
    """Email `subject` and `body` to `identity["recipient"]` unless the delivery row that
    `identity` names was sent already or has failed too often. The row stays locked while the
    message is sent (on PostgreSQL; another worker skips it), so it is sent once."""
    try:
        with transaction.atomic():
            delivery, _ = model.objects.get_or_create(**identity)
    except IntegrityError:  # another worker created it at the same moment
        return
    with transaction.atomic():
        claimed = (
            model.objects.select_for_update(skip_locked=True)
            .filter(PENDING, pk=delivery.pk)
            .first()
        )
        if claimed is None:
            return
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [claimed.recipient])
        except Exception as exc:  # any transport failure is recorded and retried next run
            model.objects.filter(pk=claimed.pk).update(
                attempts=claimed.attempts + 1, last_error=str(exc)[:255]
            )
            report.failed += 1
            return
        model.objects.filter(pk=claimed.pk).update(
            sent_at=clock.now(), attempts=claimed.attempts + 1, last_error=""
        )
        report.sent += 1
