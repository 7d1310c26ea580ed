"""The community app's models, one module per part: meetings, the directory, sharing."""

from .directory_models import DirectoryEntry, DirectoryForm
from .meeting_models import Meeting, MeetingNotice, MeetingWard, Rsvp
from .share_models import ShareCode

__all__ = ["DirectoryEntry", "DirectoryForm", "Meeting", "MeetingNotice", "MeetingWard",
           "Rsvp", "ShareCode"]
