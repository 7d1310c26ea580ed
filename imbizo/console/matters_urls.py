"""The staff console's matters pages."""

urlpatterns: list = []
