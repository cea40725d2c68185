from django.contrib.auth.forms import AuthenticationForm

from saferplaces.govuk import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is inactive. Ask your partnership administrator.",
    }
