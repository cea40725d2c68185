from django.urls import URLPattern, path

from saferplaces.death_reviews import views

app_name = "death_reviews"
P = "casework/death-reviews/"
urlpatterns: list[URLPattern] = [
    path(P, views.review_list, name="list"),
    path(f"{P}new/", views.notify, name="notify"),
    path(f"{P}<int:pk>/", views.review_detail, name="review"),
    path(f"{P}<int:pk>/stage/<slug:step>/", views.stage_step, name="step"),
    path(f"{P}<int:pk>/clocks/<slug:clock>/extend/", views.extend_clock, name="extend"),
    path(f"{P}<int:pk>/imrs/new/", views.imr_new, name="imr_new"),
    path(f"{P}<int:pk>/imrs/<int:imr_pk>/received/", views.imr_received, name="imr_received"),
    path(f"{P}<int:pk>/family/new/", views.family_new, name="family_new"),
    path(f"{P}<int:pk>/actions/new/", views.action_new, name="action_new"),
    path(f"{P}<int:pk>/actions/<int:action_pk>/done/", views.action_done, name="action_done"),
]
