from django.urls import path

from homeward.live import views

app_name = "live"
urlpatterns = [
    path("", views.board, name="view"),
    path("readings/upload/", views.upload, name="upload"),
    path("trigger-levels/", views.trigger_levels, name="triggers"),
]
