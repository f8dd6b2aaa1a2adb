"""Sign-in with a limit on failed attempts, so passwords cannot be guessed at speed."""

from django.contrib.auth import views as auth_views
from django.core.cache import cache

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(request, username: str) -> list[str]:
    address = request.META.get("REMOTE_ADDR", "")
    return [f"login-fail:user:{username.lower()}", f"login-fail:ip:{address}"]


def locked(request, username: str) -> bool:
    return any(cache.get(key, 0) >= MAX_FAILURES for key in _keys(request, username))


def note_failure(request, username: str) -> None:
    for key in _keys(request, username):
        cache.add(key, 0, WINDOW_SECONDS)
        cache.incr(key)


class LoginView(auth_views.LoginView):
    template_name = "core/login.jinja"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        if locked(request, username):
            form = self.get_form()
            form.errors.clear()
            return self.render_to_response(
                self.get_context_data(form=form, locked_out=True), status=429
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        note_failure(self.request, self.request.POST.get("username", ""))
        return super().form_invalid(form)
