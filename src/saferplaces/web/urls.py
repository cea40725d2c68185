from django.contrib.auth import views as auth_views
from django.urls import path

from saferplaces.web import views
from saferplaces.web.forms import SignInForm

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
