"""The municipality's directory: whom to call for what, when they are open, the forms to
download and where to read more (docs/community.md, "Directory")."""

from django.db import models

from imbizo.core.models import MunicipalModel, TimeStampedModel

NAME_MAX, DESCRIPTION_MAX, KEYWORDS_MAX = 120, 1000, 200


def form_path(form: "DirectoryForm", _filename: str) -> str:
    """By ids only: a staff member's file name may hold anything."""
    return f"directory/{form.entry.municipality_id}/{form.uuid}.pdf"


class DirectoryEntry(MunicipalModel):
    """One office, service or line, of a department or of the whole municipality.

    ``search_text`` is what a search reads: the name, description, keywords and department,
    case-folded and stripped of accents by the service that writes the entry, so that one
    plain ``LIKE`` finds a word on SQLite and PostgreSQL alike."""

    department = models.ForeignKey("accounts.Department", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(max_length=DESCRIPTION_MAX, blank=True)
    keywords = models.CharField(max_length=KEYWORDS_MAX, blank=True,
                                help_text="Other words residents may search with.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    hours = models.CharField(max_length=120, blank=True)
    url = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "directory entries"
        indexes = [models.Index(fields=["municipality", "active", "name"],
                                name="community_directory_list")]

    def __str__(self) -> str:
        return self.name


class DirectoryForm(TimeStampedModel):
    """A PDF form to download, checked to be one before it is kept."""

    entry = models.ForeignKey(DirectoryEntry, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(max_length=NAME_MAX)
    file = models.FileField(upload_to=form_path, max_length=200)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title
