"""The staff console's community pages: meetings (console/community.py), the directory
(console/community_directory.py) and sharing (console/community_share.py)."""

from django.urls import path

from . import community, community_directory, community_share

urlpatterns: list = [
    path("community/meetings", community.meetings, name="community_meetings"),
    path("community/meetings/new", community.meeting_new, name="community_meeting_new"),
    path("community/meetings/<uuid:key>", community.meeting, name="community_meeting"),
    path("community/meetings/<uuid:key>/cancel", community.meeting_cancel_view,
         name="community_meeting_cancel"),
    path("community/directory", community_directory.entries, name="community_entries"),
    path("community/directory/new", community_directory.entry_new,
         name="community_entry_new"),
    path("community/directory/<uuid:key>", community_directory.entry,
         name="community_entry"),
    path("community/directory/<uuid:key>/forms", community_directory.entry_form_upload,
         name="community_entry_form"),
    path("community/directory/forms/<uuid:key>/remove", community_directory.entry_form_remove,
         name="community_form_remove"),
    path("community/share", community_share.share, name="community_share"),
]
