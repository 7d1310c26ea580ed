"""The citizen site's Community pages."""

urlpatterns: list = []
