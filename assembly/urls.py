"""Root URLs: core pages, each app's pages, the admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from assembly import photos, views
from assembly.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="assembly/login.html"),
        name="login",
    ),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("photos/delegates/<int:delegate_id>/", photos.delegate_photo, name="delegate-photo"),
    path("photos/speakers/<int:speaker_id>/", photos.speaker_photo, name="speaker-photo"),
    path("login/link/", views.magic_link, name="magic-link"),
    path("login/email/", views.request_magic_link, name="magic-link-request"),
    path("account/tokens/", views.api_tokens, name="api-tokens"),
    path("account/tokens/<int:token_id>/revoke/", views.revoke_token, name="api-token-revoke"),
    path("a/<slug:slug>/", views.assembly_home, name="assembly-home"),
    path("a/<slug:slug>/me/", views.delegate_home, name="delegate-home"),
    path("a/<slug:slug>/desk/", views.desk_home, name="desk-home"),
    path("a/<slug:slug>/chair/", views.chair_home, name="chair-home"),
    path("a/<slug:slug>/secretariat/", views.secretariat_home, name="secretariat-home"),
    path("a/<slug:slug>/members/", views.member_list, name="member-list"),
    path("a/<slug:slug>/", include("registration.urls")),
    path("a/<slug:slug>/", include("sessions.urls")),
    path("a/<slug:slug>/", include("badges.urls")),
    path("a/<slug:slug>/", include("voting.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Any other address under the API answers in the API's error shape, not an HTML page.
    re_path(r"^api/", views.api_not_found),
]
