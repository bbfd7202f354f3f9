"""The OAuth 2.0 endpoints: the token endpoint (authorization_code with PKCE, refresh_token and
the service-account JWT-bearer grant), the consent page, which consents at once for the user named
by `login_hint` and redirects back with the code, and the revoke endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from gmail_fake.auth import JWT_BEARER
from gmail_fake.errors import OAuthError, injected

if TYPE_CHECKING:
    from gmail_fake.fake import GoogleFake


async def _form(request: Request) -> dict[str, str]:
    """An application/x-www-form-urlencoded body, the only kind OAuth clients send."""
    return dict(parse_qsl((await request.body()).decode("utf-8", errors="replace")))


def routes(fake: GoogleFake) -> list[Route]:
    def injected_failure(name: str) -> Response | None:
        with fake.lock:
            fake.faults.count(name, None)
            failure = fake.faults.take_failure(name, None)
        if failure is None:
            return None
        return injected(failure.status, failure.retry_after).response()

    async def token(request: Request) -> Response:
        if (failed := injected_failure("oauth2.token")) is not None:
            return failed
        form = await _form(request)
        grant_type = form.get("grant_type")
        try:
            with fake.lock:
                if grant_type == "authorization_code":
                    answer = fake.auth.exchange_code(form)
                elif grant_type == "refresh_token":
                    answer = fake.auth.refresh(form)
                elif grant_type == JWT_BEARER:
                    answer = fake.auth.jwt_bearer(form)
                else:
                    raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
        except OAuthError as error:
            return error.response()
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    async def consent(request: Request) -> Response:
        if (failed := injected_failure("oauth2.auth")) is not None:
            return failed
        params = request.query_params
        redirect_uri = params.get("redirect_uri", "")
        state = params.get("state")
        try:
            if params.get("response_type") != "code":
                raise OAuthError("unsupported_response_type", "Only response_type=code.")
            user = params.get("login_hint", "")
            with fake.lock:
                if user not in fake.mailboxes:
                    raise OAuthError("access_denied", f"No such user: {user}")
                code = fake.auth.authorize(
                    client_id=params.get("client_id", ""),
                    redirect_uri=redirect_uri,
                    user=user,
                    scopes=params.get("scope", "").split(),
                    code_challenge=params.get("code_challenge"),
                    code_challenge_method=params.get("code_challenge_method", "plain"),
                    is_offline=params.get("access_type") == "offline",
                )
        except OAuthError as error:
            if error.error in ("invalid_client", "redirect_uri_mismatch"):
                return error.response()  # never redirect to an unregistered address
            answer = {"error": error.error, **({"state": state} if state else {})}
            return RedirectResponse(f"{redirect_uri}?{urlencode(answer)}", status_code=302)
        answer = {
            "code": code,
            "scope": params.get("scope", ""),
            **({"state": state} if state else {}),
        }
        return RedirectResponse(f"{redirect_uri}?{urlencode(answer)}", status_code=302)

    async def revoke(request: Request) -> Response:
        if (failed := injected_failure("oauth2.revoke")) is not None:
            return failed
        form = await _form(request)
        value = form.get("token") or request.query_params.get("token", "")
        try:
            with fake.lock:
                fake.auth.revoke_token(value)
        except OAuthError as error:
            return error.response()
        return JSONResponse({})

    return [
        Route("/token", token, methods=["POST"], name="oauth2.token"),
        Route("/o/oauth2/auth", consent, methods=["GET"], name="oauth2.auth"),
        Route("/o/oauth2/v2/auth", consent, methods=["GET"], name="oauth2.auth.v2"),
        Route("/revoke", revoke, methods=["POST"], name="oauth2.revoke"),
    ]
