"""Pages of the sessions app, under /a/<slug>/."""

from django.urls import path

from sessions import views

app_name = "agenda"

urlpatterns = [
    path("programme/", views.programme, name="programme"),
    path("programme.ics", views.programme_feed, name="programme-feed"),
    path("programme/<slug:code>/", views.session_detail, name="session"),
    path("programme/<slug:code>/event.ics", views.session_ics, name="session-ics"),
    path("programme/<slug:code>/choose/", views.choose, name="choose"),
    path("programme/<slug:code>/drop/", views.drop, name="drop"),
    path("speakers/", views.speaker_list, name="speakers"),
    path("speakers/<slug:code>/", views.speaker_detail, name="speaker"),
    path("my-agenda/", views.my_agenda, name="my-agenda"),
    path("my-agenda/reset-feed/", views.reset_feed, name="reset-feed"),
    path("now/", views.now_next, name="now-next"),
    path("timeline/", views.timeline, name="timeline"),
    path("timeline/<slug:code>/", views.session_edit, name="session-edit"),
    path("feeds/<str:token>/programme.ics", views.members_feed, name="members-feed"),
    path("feeds/<str:token>/my.ics", views.personal_feed, name="personal-feed"),
]
