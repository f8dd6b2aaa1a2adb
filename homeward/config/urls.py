from django.contrib.auth import views as auth_views
from django.urls import include, path

from homeward.api.urls import api
from homeward.core import views as core_views
from homeward.core.login import LoginView

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sign-out/", core_views.logout_confirm, name="logout_confirm"),
    path("directory/", include("homeward.directory.urls")),
    path("cases/", include("homeward.cases.urls")),
    path("brokerage/", include("homeward.brokerage.urls")),
    path("planning/", include("homeward.scenarios.urls")),
    path("live/", include("homeward.live.urls")),
    path("performance/", include("homeward.performance.urls")),
    path("api/v1/", api.urls),
]
