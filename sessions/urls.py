"""Pages of the sessions app, under /a/<slug>/."""

urlpatterns: list = []
