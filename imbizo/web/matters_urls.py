"""The citizen site's Matters pages."""

urlpatterns: list = []
