"""Pages of the voting app, under /a/<slug>/."""

urlpatterns: list = []
