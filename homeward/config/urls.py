from django.contrib.auth import views as auth_views
from django.urls import include, path

from homeward.api.urls import api
from homeward.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="core/login.jinja", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out/", core_views.logout_confirm, name="logout_confirm"),
    path("directory/", include("homeward.directory.urls")),
    path("cases/", include("homeward.cases.urls")),
    path("api/v1/", api.urls),
]
