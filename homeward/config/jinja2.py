"""The Jinja2 environment: NHS.UK frontend macros plus Django's url, static, csrf helpers."""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from homeward.core.navigation import navigation
from homeward.core.timefmt import age_text, local_datetime


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options) -> Environment:
    loader = options.pop("loader")
    options["undefined"] = ChainableUndefined
    # Always escape: templates show provider-supplied names and free text.
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=True,
        **options,
    )
    env.globals.update(
        {
            "url": url,
            "static": static,
            "get_messages": get_messages,
            "navigation": navigation,
            "asset_path": "/static/nhsuk/assets",
        }
    )
    env.filters.update({"age": age_text, "local": local_datetime})
    return env
