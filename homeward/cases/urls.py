from django.urls import path

from homeward.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.hub, name="hub"),
    path("new/", views.new_case, name="new"),
    path("daily-return/", views.daily_return_page, name="daily_return"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/criteria/", views.record_criteria, name="criteria"),
    path("<int:case_id>/delays/", views.add_delay, name="add_delay"),
    path("<int:case_id>/delays/<int:delay_id>/end/", views.end_delay, name="end_delay"),
    path("<int:case_id>/tasks/", views.add_task, name="add_task"),
    path("<int:case_id>/tasks/<int:task_id>/done/", views.complete_task, name="complete_task"),
    path("<int:case_id>/plan/", views.set_plan, name="plan"),
    path("<int:case_id>/transition/", views.transition, name="transition"),
    path("<int:case_id>/notices/", views.record_notices, name="notices"),
    path("<int:case_id>/find-provider/", views.find_provider, name="find_provider"),
    path("legacy-notices/", views.legacy_notices, name="legacy_notices"),
]
