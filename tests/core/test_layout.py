"""Integration: the shared page layout."""

import pytest

pytestmark = pytest.mark.django_db


def test_back_link_sits_in_a_navigation_landmark_and_only_once(client, coordinator):
    client.force_login(coordinator)
    html = client.get("/cases/new/").content.decode()
    assert html.count("Back to the waiting list") == 1
    nav = html.split('<nav aria-label="Back">')[1].split("</nav>")[0]
    assert "Back to the waiting list" in nav


def test_pages_without_a_back_link_have_no_empty_landmark(client, coordinator):
    client.force_login(coordinator)
    assert 'aria-label="Back"' not in client.get("/cases/").content.decode()
