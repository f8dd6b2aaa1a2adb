from django.urls import path

from homeward.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("download/<slug:table>.<str:fmt>", views.download, name="download"),
    path("trajectory/", views.trajectory, name="trajectory"),
]
