"""The staff console's news pages."""

urlpatterns: list = []
