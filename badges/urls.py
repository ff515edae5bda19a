"""Pages of the badges app, under /a/<slug>/."""

from django.urls import path

from badges import views

urlpatterns = [
    path("badges/", views.dashboard, name="badges-dashboard"),
    path("badges/desk/", views.desk, name="badges-desk"),
    path("badges/my/", views.my_badge, name="badges-my"),
    path("badges/sw.js", views.service_worker, name="badges-sw"),
    path("badges/attendance/", views.attendance, name="badges-attendance"),
    path("badges/action/", views.badge_action, name="badges-action"),
    path("badges/end-day/", views.end_day, name="badges-end-day"),
]
