"""The staff console's community pages."""

urlpatterns: list = []
