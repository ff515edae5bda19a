"""Pages of the voting app, under /a/<slug>/."""

from django.urls import path

from voting import proxy_views, receipt_views, views

urlpatterns = [
    path("vote/", views.ballot, name="voting-ballot"),
    path("vote/<int:poll_id>/confirm/", views.confirm, name="voting-confirm"),
    path("vote/<int:poll_id>/receipt/", views.receipt, name="voting-receipt"),
    path("vote/<int:poll_id>/card/", views.ballot_card, name="voting-ballot-card"),
    path("vote/online/", views.online_checkin, name="voting-online-checkin"),
    path("polls/console/", views.console, name="voting-console"),
    path("polls/simulate/", views.simulate, name="voting-simulate"),
    path("polls/simulate/remote/", views.simulate_remote, name="voting-simulate-remote"),
    path("polls/new/", views.create_poll, name="voting-create-poll"),
    path("polls/<int:poll_id>/<str:action>/", views.console_action, name="voting-action"),
    path("results/", views.published, name="voting-published"),
    path("results/minutes.pdf", views.minutes_pdf, name="voting-minutes-pdf"),
    path("results/<int:poll_id>/", views.results, name="voting-results"),
    path("results/<int:poll_id>/receipts/", receipt_views.receipts, name="voting-receipts"),
    path("results/<int:poll_id>/sheet.pdf", views.results_pdf, name="voting-results-pdf"),
    path("proxies/", proxy_views.proxies, name="voting-proxies"),
    path("presence/", views.presence, name="voting-presence"),
    path("live/room.json", views.room_snapshot_json, name="voting-room-json"),
    path("projector/", views.projector, name="voting-projector"),
    path("projector/link/", views.projector_link, name="voting-projector-link"),
]
