"""The citizen site's Community pages: meetings (web/community_meetings.py), the directory
(web/community_directory.py) and sharing (web/community_share.py)."""

from django.urls import path

from . import community_directory, community_meetings, community_share

urlpatterns: list = [
    path("meetings", community_meetings.meetings, name="meetings"),
    path("meetings/<uuid:key>", community_meetings.meeting, name="meeting"),
    path("meetings/<uuid:key>/rsvp", community_meetings.meeting_rsvp, name="meeting_rsvp"),
    path("directory", community_directory.directory, name="directory"),
    path("directory/forms/<uuid:key>.pdf", community_directory.directory_form,
         name="directory_form"),
    path("share", community_share.share, name="share"),
    path("s/<slug:code>", community_share.share_landing, name="share_open"),
]
