from django.urls import path

from homeward.brokerage import requests_views as views

urlpatterns: list = [
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.new_request, name="new_request"),
    path("requests/<int:request_id>/", views.request_detail, name="request"),
    path("requests/<int:request_id>/answer/", views.offer_capacity, name="offer_capacity"),
    path("requests/<int:request_id>/close/", views.close_request, name="close_request"),
]
