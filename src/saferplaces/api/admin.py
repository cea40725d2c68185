"""API tokens in the admin: an administrator sees who holds which token and revokes any
of them (a leaver's, a leaked one). Tokens are made only by their owner on the account
page, so there is no adding here, and the stored hash is never shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from saferplaces.api.models import ApiToken
from saferplaces.api.tokens import revoke_token


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "public_id", "state", "two_factor", "created_at",
                    "expires_at", "last_used_at", "revoked_at"]  # fmt: skip
    list_filter = ["two_factor", "revoked_at", "expires_at"]
    search_fields = ["name", "public_id", "user__username"]
    fields = readonly_fields = ("user", "name", "public_id", "two_factor", "created_at",
                                "expires_at", "last_used_at", "revoked_at")  # fmt: skip
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False  # a revoked token stays as the record of who held it, and when

    @admin.display(description="State")
    def state(self, token: ApiToken) -> str:
        return token.state

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        done = sum(revoke_token(request.user, token) for token in queryset)  # type: ignore[arg-type]
        messages.success(request, f"{done} token(s) revoked: they no longer work")
