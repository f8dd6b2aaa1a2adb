"""Fuzzing the indicator feed: whatever arrives, the API answers 201, 400 or 422 (never a
crash) and stores all or nothing; the CSV reader either reads a file or says why it cannot."""

import json
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homeward.live.feed import UnreadableFeed, parse_csv
from homeward.live.models import Reading

pytestmark = pytest.mark.django_db

codes = st.sampled_from(["R0A66", "QOP", "RBL14", "", "r0a66", "E08000009", "x" * 70])
indicators = st.sampled_from(
    ["beds-ga-free", "ambulance-handover-mean", "people-waiting-21-days", "nope", ""]
)
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.text(max_size=5),
    st.none(),
)
moments = st.one_of(
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.isoformat()
    ),
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
    ).map(lambda d: d.isoformat()),
    st.text(max_size=12),
)
readings = st.fixed_dictionaries(
    {"organisation": codes, "indicator": indicators, "value": numbers, "measured_at": moments},
    optional={"source": st.text(max_size=80)},
)
bodies = st.one_of(readings, st.fixed_dictionaries({"readings": st.lists(readings, max_size=4)}))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_the_feed_never_crashes_and_stores_all_or_nothing(client, leader, site, other_site, body):
    client.force_login(leader)
    before = Reading.objects.count()
    response = client.post(
        "/api/v1/indicators", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (201, 400, 422), response.content
    stored = Reading.objects.count() - before
    if response.status_code == 201:
        assert stored == response.json()["stored"]
    else:
        assert stored == 0


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_the_csv_reader_reads_or_says_why(data):
    header = b"organisation,indicator,value,measured_at\n"
    for attempt in (data, header + data):
        try:
            rows, problems = parse_csv(attempt, default_source="fuzz")
        except UnreadableFeed as exc:
            assert str(exc)
        else:
            assert all(p.line >= 2 and p.reason for p in problems)
            assert all(r.value >= 0 and r.measured_at.tzinfo is not None for r in rows)
