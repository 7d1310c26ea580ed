"""The citizen site's Representatives pages."""

urlpatterns: list = []
