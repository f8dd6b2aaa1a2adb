"""Integration: capacity reports, compliance decisions and the Capacity Tracker upload."""

from decimal import Decimal

import pytest

from homeward.core.access import actor_for
from homeward.core.models import AuditEvent
from homeward.directory import capacity_upload, services
from homeward.directory.models import CapacityReport, ComplianceState
from tests.conftest import make_location, make_offer

pytestmark = pytest.mark.django_db


def test_report_capacity_keeps_history_and_audits(manager, home_offer):
    actor = actor_for(manager)
    services.report_capacity(actor=actor, offer=home_offer, beds_free=3, source="web")
    services.report_capacity(actor=actor, offer=home_offer, beds_free=1, source="web")
    home_offer.refresh_from_db()
    assert home_offer.latest_report.beds_free == 1
    assert CapacityReport.objects.filter(offer=home_offer).count() == 3
    audit = AuditEvent.objects.filter(action="capacity.report").first()
    assert audit.username == "carehome"
    assert audit.organisation.code == "1-100000001"
    assert audit.role == "provider_manager"
    assert audit.detail["beds_free"] == 1


@pytest.mark.parametrize(
    ("beds", "message"),
    [(None, "required"), (-1, "between 0"), (41, "registered beds"), (5000, "between 0")],
)
def test_impossible_bed_counts_are_refused(manager, home_offer, beds, message):
    with pytest.raises(services.CapacityError, match=message):
        services.report_capacity(
            actor=actor_for(manager), offer=home_offer, beds_free=beds, source="web"
        )
    assert CapacityReport.objects.filter(offer=home_offer).count() == 1


def test_home_care_reports_hours(manager, provider, council):
    agency = make_location(provider, council, care_home=False, beds=None)
    offer = make_offer(agency, "home-care", area="Trafford")
    services.report_capacity(
        actor=actor_for(manager), offer=offer, hours_free=Decimal("21.5"), source="api"
    )
    offer.refresh_from_db()
    assert offer.latest_report.hours_free == Decimal("21.5")
    assert offer.latest_report.beds_free is None


def test_compliance_needs_reason_and_is_recorded(commissioner, home):
    actor = actor_for(commissioner)
    with pytest.raises(ValueError, match="reason"):
        services.set_compliance(actor=actor, location=home, state="under_investigation", reason=" ")
    services.set_compliance(
        actor=actor, location=home, state="under_investigation", reason="Safeguarding alert"
    )
    home.refresh_from_db()
    assert home.compliance == ComplianceState.UNDER_INVESTIGATION
    assert not home.put_forward
    flag = home.flags.get()
    assert (flag.set_by, flag.reason) == (commissioner, "Safeguarding alert")
    assert AuditEvent.objects.filter(action="location.compliance", object_id=str(home.pk)).exists()


CARE_HOME_HEADER = (
    "cqcid,odscode,location,parentorganisation,localauthority,region,icb,subicb,maxcapacity,"
    "usedbeds,declaredvacancies,isacceptingadmissions,admissionstatus,lastupdatedbst\n"
)


def test_upload_stores_good_rows_and_reports_bad_ones(manager, home, home_offer):
    data = (
        CARE_HOME_HEADER
        + f"{home.cqc_id},,Oak Lodge,,Trafford,,,,40,38,2,Yes,Open,27/11/2026 08:00\n"
        + "1-999999999,,Unknown,,Trafford,,,,40,38,2,Yes,Open,27/11/2026 08:00\n"
        + f"{home.cqc_id},,Oak Lodge,,Trafford,,,,40,38,two,Yes,Open,27/11/2026 08:00\n"
        + f"{home.cqc_id},,Oak Lodge,,Trafford,,,,40,45,0,Yes,Open,27/11/2026 08:00\n"
    ).encode()
    result = capacity_upload.upload(actor=actor_for(manager), data=data)
    assert (result.read, result.stored) == (4, 1)
    assert [r["line"] for r in result.rejections] == [3, 4, 5]
    assert "not one of the services you can update" in result.rejections[0]["reason"]
    assert "not a whole number" in result.rejections[1]["reason"]
    assert "more than maxcapacity" in result.rejections[2]["reason"]


def test_upload_of_another_providers_home_changes_nothing(other_manager, home, home_offer):
    data = (CARE_HOME_HEADER + f"{home.cqc_id},,,,,,,,40,38,5,Yes,Open,\n").encode()
    result = capacity_upload.upload(actor=actor_for(other_manager), data=data)
    assert result.stored == 0
    home_offer.refresh_from_db()
    assert home_offer.latest_report.beds_free == 2


@pytest.mark.parametrize("data", [b"", b"   \n", b"foo,bar\n1,2\n"])
def test_unreadable_upload_changes_nothing(manager, home_offer, data):
    with pytest.raises(capacity_upload.UnreadableUpload):
        capacity_upload.upload(actor=actor_for(manager), data=data)
    assert CapacityReport.objects.count() == 1


def test_home_care_upload(manager, provider, council):
    agency = make_location(provider, council, care_home=False, beds=None)
    offer = make_offer(agency, "home-care", area="Trafford")
    data = (
        "cqcid,laname,serviceusercount,usersnhsla,usersselffunded,canprovidermorehours,"
        f"extrahourscount\n{agency.cqc_id},Trafford,40,30,10,Yes,35\n"
    ).encode()
    result = capacity_upload.upload(actor=actor_for(manager), data=data)
    assert result.stored == 1
    offer.refresh_from_db()
    assert offer.latest_report.hours_free == Decimal("35")
