"""The WSGI application the bench serves: Resettle under its production settings, with the
bench's URLconf (Resettle's URLs plus a hello-world view for the baseline)."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "resettle.settings")
django.setup()
settings.ROOT_URLCONF = "bench.urls"

from django.core.wsgi import get_wsgi_application  # noqa: E402

from resettle.core.collection import tune_for_serving  # noqa: E402

application = get_wsgi_application()
tune_for_serving()
