from django.contrib.auth import views as auth_views
from django.urls import path

from saferplaces.web import two_factor, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sign-in/", two_factor.SignInView.as_view(), name="login"),
    path("sign-in/two-factor/", two_factor.verify, name="two_factor"),
    path("sign-in/two-factor/set-up/", two_factor.setup, name="two_factor_setup"),
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
