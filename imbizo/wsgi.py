"""The WSGI application granian serves: the site, with providers' webhooks served by a
leaner handler (core/wsgi.py). A worker loads here what its first request would
otherwise wait for: the URLconf with every view and API schema (about a quarter of a
second) and, in threads of their own, the ward index (seconds for the national wards) and
the nearest-facility index."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imbizo.settings")
site = get_wsgi_application()

from django.urls import get_resolver  # noqa: E402  (Django is set up from here on)

from imbizo.core.wsgi import with_webhooks  # noqa: E402
from imbizo.facilities.index import facility_index  # noqa: E402
from imbizo.geo.index import ward_index  # noqa: E402

application = with_webhooks(site)
get_resolver().url_patterns  # noqa: B018  (the import is the point)
ward_index.warm_in_background()
facility_index.warm_in_background()  # the nearest-facility index, likewise
