from django.urls import path

from saferplaces.evidence import views

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/new/", views.upload_new, name="upload_new"),
    path("imports/mappings/new/", views.mapping_new, name="mapping_new"),
    path("imports/<uuid:pk>/", views.import_detail, name="import_detail"),
    path("imports/<uuid:pk>/replace/", views.import_replace, name="import_replace"),
    path("imports/<uuid:pk>/cancel/", views.import_cancel, name="import_cancel"),
    path("imports/<uuid:pk>/withdraw/", views.import_withdraw, name="import_withdraw"),
    path("imports/<uuid:pk>/rejected-rows.csv", views.import_rejects, name="import_rejects"),
]
