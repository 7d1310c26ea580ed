"""The installable web app: the manifest, the service worker served from the root, the
offline page it falls back to, and the links every page carries to them."""

import re

from django.contrib.staticfiles import finders
from PIL import Image

from imbizo.messaging.channels.webpush.keys import vapid_pair

PUSH = "imbizo.messaging.channels.webpush.provider.WebPushProvider"


def test_the_manifest_makes_the_site_installable(client, db):
    answer = client.get("/manifest.webmanifest")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "/", "/", "standalone")
    assert manifest["name"] == manifest["short_name"] == "Imbizo"
    assert manifest["theme_color"] == "#0b4f9c"
    sizes = {}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            sizes[icon["sizes"]] = image.size
    assert sizes == {"192x192": (192, 192), "512x512": (512, 512)}


def test_the_service_worker_is_served_from_the_root_as_javascript(client, db):
    answer = client.get("/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert "no-cache" in answer["Cache-Control"]
    body = answer.content.decode()
    assert "__VERSION__" not in body and "__SHELL__" not in body
    assert re.search(r'var VERSION = "[0-9a-f]{12}"', body)
    shell = ['"/static/web/site.css"', '"/static/web/app.js"',
             '"/static/web/icons/icon-192.png"']
    assert all(name in body for name in shell) and 'OFFLINE = "/offline"' in body
    # Pages are fetched from the network and never stored; posts are left alone.
    assert 'request.method !== "GET"' in body and "cache.put" not in body


def test_every_page_links_the_manifest_and_the_app_script(client, municipalities):
    page = client.get("/report?m=AAA").text
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<script src="/static/web/app.js" defer></script>' in page
    assert 'id="queue-status"' in page and 'data-worker="/sw.js"' in page


def test_the_offline_page_says_what_works_and_holds_nothing_of_the_resident(
        client, resident, sign_in_as):
    sign_in_as(resident.citizen)
    page = client.get("/offline")
    assert page.status_code == 200
    assert "You are offline" in page.text and "kept on this phone" in page.text
    assert "Sign out" not in page.text and resident.citizen.phone not in page.text


def test_the_report_form_can_be_queued_offline(client, municipalities):
    page = client.get("/report/details", {"m": "AAA", "category": "pothole", "ward": "1"})
    assert 'data-queue="/report/queued"' in page.text


def test_my_cases_offers_notifications_on_this_phone_only_where_web_push_is_on(
        client, resident, sign_in_as, settings):
    sign_in_as(resident.citizen)
    assert "Notify me on this phone" not in client.get("/my").text  # no VAPID key: off
    public, private = vapid_pair()
    settings.WEBPUSH_VAPID_PUBLIC_KEY, settings.WEBPUSH_VAPID_PRIVATE_KEY = public, private
    settings.MESSAGING_PROVIDERS = {**settings.MESSAGING_PROVIDERS, "webpush": PUSH}
    page = client.get("/my").text
    assert "Notify me on this phone" in page and f'data-key="{public}"' in page
    assert 'data-subscribe="/push/subscribe"' in page
    assert '<script src="/static/web/push.js" defer></script>' in page
