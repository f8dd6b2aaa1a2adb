from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from homeward.core.access import actor_for


@login_required
def home(request):
    actor = actor_for(request.user)
    return render(request, "core/home.jinja", {"actor": actor})


def logout_confirm(request):
    return render(request, "core/logout.jinja", {})
