"""Partnership pages. Names are global (no namespace): `home` is the site's front page."""

from django.urls import path

from saferplaces.partnership import views

urlpatterns = [
    path("", views.home, name="home"),
    path("places/<slug:slug>/", views.place_detail, name="place"),
    path("places/<slug:slug>/structure/", views.place_structure, name="place_structure"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
    path("groups/<slug:slug>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("groups/<slug:slug>/actions/new/", views.action_new, name="action_new"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("groups/<slug:slug>/escalations/new/", views.escalation_new, name="escalation_new"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation_resolve"),
    path("escalations/<int:pk>/reopen/", views.escalation_reopen, name="escalation_reopen"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/agenda/new/", views.agenda_item_new, name="agenda_item_new"),
    path("meetings/<int:pk>/decisions/new/", views.decision_new, name="decision_new"),
]
