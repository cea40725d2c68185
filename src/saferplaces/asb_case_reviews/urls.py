from django.urls import URLPattern

app_name = "asb_case_reviews"
urlpatterns: list[URLPattern] = []
