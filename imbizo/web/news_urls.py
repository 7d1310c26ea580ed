"""The citizen site's News pages."""

urlpatterns: list = []
