from django.urls import path

from saferplaces.evidence import views

urlpatterns = [
    path("imports/", views.imports, name="imports"),
]
