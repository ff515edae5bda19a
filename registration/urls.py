"""Pages of the registration app, under /a/<slug>/."""

urlpatterns: list = []
