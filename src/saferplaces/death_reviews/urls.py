from django.urls import URLPattern

app_name = "death_reviews"
urlpatterns: list[URLPattern] = []
