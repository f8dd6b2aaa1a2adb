from django.urls import path

from homeward.scenarios import views

app_name = "scenarios"
urlpatterns = [
    path("", views.scenario_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("example.csv", views.example, name="example"),
    path("compare/", views.compare, name="compare"),
    path("<int:scenario_id>/", views.detail, name="detail"),
    path("<int:scenario_id>/download/", views.download, name="download"),
    path("<int:scenario_id>/copy/", views.copy, name="copy"),
    path("<int:scenario_id>/fill-demand/", views.fill_demand, name="fill_demand"),
    path("<int:scenario_id>/runs/", views.start_run, name="start_run"),
    path("<int:scenario_id>/capacity/", views.capacity, name="capacity"),
    path("<int:scenario_id>/capacity/copy/", views.capacity_copy, name="capacity_copy"),
    path("runs/<int:run_id>/", views.run_detail, name="run"),
    path("runs/<int:run_id>/step/", views.run_step, name="run_step"),
]
