"""The API tokens page: each signed-in user lists, creates and revokes their own tokens."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from resettle.api import selectors, services
from resettle.api.forms import ApiTokenForm
from resettle.core.http import AuthenticatedRequest
from resettle.web.form_runner import bound_data, render_form


@require_http_methods(["GET"])
def token_list(request: AuthenticatedRequest) -> HttpResponse:
    tokens = selectors.api_token_list(user=request.user)
    return render(request, "api/token_list.html", {"tokens": tokens})


@never_cache  # the response to a successful POST holds the secret: no cache may keep it
@require_http_methods(["GET", "POST"])
def token_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ApiTokenForm(bound_data(request))
    # Not `run_form`: success answers with the secret itself, where run_form would redirect.
    if form.is_bound and form.is_valid():
        lifetime = form.lifetime
        created = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            expires_at=timezone.now() + lifetime if lifetime else None,
        )
        # Shown in this response only; after this page nobody can see the secret again.
        return render(
            request,
            "api/token_created.html",
            {"token": created.token, "secret": created.secret},
        )
    return render_form(request, "api/token_create.html", {"form": form})


@require_http_methods(["GET", "POST"])
def token_revoke(request: AuthenticatedRequest, pk) -> HttpResponse:
    token = selectors.get_api_token_for_user(request.user, pk)
    if request.method == "POST":
        services.api_token_revoke(user=request.user, token=token)
        messages.success(request, f"The token '{token.name}' is revoked and can no longer be used")
        return redirect("accounts:api_tokens")
    return render(request, "api/token_revoke.html", {"token": token})
