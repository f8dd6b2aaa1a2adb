from django.urls import path

from homeward.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.search, name="search"),
    path("capacity/", views.capacity, name="capacity"),
    path("capacity/upload/", views.upload_capacity, name="upload_capacity"),
    path("capacity/areas/", views.add_area, name="add_area"),
    path("care-types/", views.care_types, name="care_types"),
    path("capacity/<int:offer_id>/", views.update_offer, name="update_offer"),
    path("import/", views.import_directory, name="import"),
    path("locations/<str:cqc_id>/", views.location_detail, name="location"),
    path("locations/<str:cqc_id>/compliance/", views.set_compliance, name="set_compliance"),
]
