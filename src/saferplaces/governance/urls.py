from django.urls import URLPattern, path

from saferplaces.governance import views

app_name = "governance"
urlpatterns: list[URLPattern] = [
    path("governance/agreements/", views.agreement_list, name="agreements"),
    path("governance/agreements/new/", views.agreement_new, name="agreement_new"),
    path("governance/agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("governance/agreements/<int:pk>/invite/", views.agreement_invite, name="agreement_invite"),
    path("governance/agreements/<int:pk>/sign/", views.agreement_sign, name="agreement_sign"),
    path(
        "governance/agreements/<int:pk>/status/<slug:status>/",
        views.agreement_status,
        name="agreement_status",
    ),
    path("governance/audit/", views.audit_staff, name="audit_staff"),
    path("governance/audit/<str:username>/", views.audit_trail, name="audit_trail"),
]
