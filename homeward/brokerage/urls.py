from django.urls import path

from homeward.brokerage import requests_urls, views

app_name = "brokerage"
urlpatterns = [
    path("cases/<int:case_id>/refer/", views.refer, name="refer"),
    path("referrals/", views.inbox, name="inbox"),
    path("referrals/<int:referral_id>/", views.referral, name="referral"),
    path("referrals/<int:referral_id>/confirm/", views.confirm, name="confirm"),
    path("referrals/<int:referral_id>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "placements/<int:placement_id>/<str:to_state>/",
        views.move_placement,
        name="move_placement",
    ),
    path("weights/", views.weights, name="weights"),
    path("allocate/", views.allocate, name="allocate"),
    *requests_urls.urlpatterns,
]
