"""Pages of the badges app, under /a/<slug>/."""

urlpatterns: list = []
