"""The citizen site's Representatives pages (docs/representatives.md)."""

from django.urls import path

from . import representatives

urlpatterns: list = [
    path("representatives", representatives.who_represents_me, name="representatives"),
    path("representatives/pr", representatives.pr_list, name="representatives_pr"),
    path("representatives/photos/<uuid:key>", representatives.photo,
         name="representative_photo"),
]
