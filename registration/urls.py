"""Pages of the registration app, under /a/<slug>/."""

from django.urls import path

from registration import import_views, views

app_name = "registration"

urlpatterns = [
    path("invitation/<str:token>/", views.invitation_register, name="invitation"),
    path("register/", views.public_register, name="public-register"),
    path("registered/", views.registered, name="registered"),
    path("me/registration/", views.my_registration, name="my-registration"),
    path("me/registration/photo/", views.my_photo, name="my-photo"),
    path("me/registration/cancel/", views.my_cancel, name="my-cancel"),
    path("me/visa-letter.pdf", views.my_visa_letter, name="my-visa-letter"),
    path("tours/", views.tour_list, name="tours"),
    path("tours/<slug:code>/signup/", views.tour_signup, name="tour-signup"),
    path("tours/<slug:code>/cancel/", views.tour_cancel, name="tour-cancel"),
    path("visa-letters/<slug:token>/", views.visa_verify, name="visa-verify"),
    path("secretariat/registrations/", views.queue, name="queue"),
    path("secretariat/registrations/export.csv", views.export_csv, name="export"),
    path("secretariat/registrations/<int:delegate_id>/", views.detail, name="detail"),
    path("secretariat/registrations/<int:delegate_id>/state/", views.detail_state, name="state"),
    path(
        "secretariat/registrations/<int:delegate_id>/visa-letter/",
        views.issue_letter,
        name="issue-letter",
    ),
    path(
        "secretariat/registrations/<int:delegate_id>/visa-letter.pdf",
        views.letter_pdf,
        name="letter-pdf",
    ),
    path("secretariat/invitations/", views.invitations, name="invitations"),
    path(
        "secretariat/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("secretariat/accreditation/", views.accreditation, name="accreditation"),
    path("secretariat/import/", import_views.import_csv, name="import"),
    path("secretariat/import/<int:run_id>/", import_views.import_run, name="import-run"),
    path("secretariat/tours/", views.tour_admin, name="tour-admin"),
    path("secretariat/tours/<slug:code>/", views.roster, name="roster"),
    path("secretariat/tours/<slug:code>/roster.csv", views.roster_csv, name="roster-csv"),
    path("secretariat/tours/<slug:code>/roster.pdf", views.roster_pdf_view, name="roster-pdf"),
]
