"""Routes: initiatives, strands, action plans and actions (initiative_views.py)."""

from django.urls import URLPattern, path

from saferplaces.delivery import initiative_views as views

urlpatterns: list[URLPattern] = [
    path("places/<slug:place>/initiatives/", views.initiative_list, name="initiatives"),
    path("places/<slug:place>/initiatives/new/", views.initiative_new, name="initiative_new"),
    path("initiatives/<slug:slug>/", views.initiative_detail, name="initiative"),
    path("initiatives/<slug:slug>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<slug:slug>/strands/new/", views.strand_new, name="strand_new"),
    path("initiatives/<slug:slug>/strands/<int:pk>/edit/", views.strand_edit,
         name="strand_edit"),
    path("initiatives/<slug:slug>/plans/new/", views.action_plan_new, name="action_plan_new"),
    path("initiatives/<slug:slug>/plans/<int:pk>/", views.action_plan, name="action_plan"),
    path("initiatives/<slug:slug>/plans/<int:pk>/actions/new/", views.action_new,
         name="plan_action_new"),
    path("initiatives/<slug:slug>/actions/<int:pk>/edit/", views.action_edit,
         name="plan_action_edit"),
    path("initiatives/<slug:slug>/actions/<int:pk>/status/", views.action_status,
         name="plan_action_status"),
    path("initiatives/<slug:slug>/actions/<int:pk>/remove/", views.action_remove,
         name="plan_action_remove"),
    path("groups/<slug:slug>/delivery/", views.group_delivery, name="group_delivery"),
]  # fmt: skip
