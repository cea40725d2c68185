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
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_changed.html"
        ),
        name="password_change_done",
    ),
]
