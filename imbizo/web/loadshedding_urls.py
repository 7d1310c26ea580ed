"""The citizen site's Load-shedding pages."""

urlpatterns: list = []
