"""The citizen site's Facilities pages."""

urlpatterns: list = []
