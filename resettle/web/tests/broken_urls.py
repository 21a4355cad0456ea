"""The site's URLs plus one that fails, to test the 500 page."""

from django.urls import path

# Django looks for the error handlers in the URLconf in use.
from resettle.urls import handler404, handler500  # noqa: F401
from resettle.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [path("broken/", broken), *site_urlpatterns]
