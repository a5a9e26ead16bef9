"""Errors of the web pages and their HTML (or, under /api and for .json, JSON) rendering."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from jointprobe.errors import Forbidden, JointprobeError, Unauthorized
from jointprobe.web.pages.render import page

_TITLES = {
    400: "Bad request",
    401: "Sign-in needed",
    403: "Refused",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many attempts",
    503: "Unavailable",
}


class SignInRequired(Unauthorized):
    """No signed-in session (never had one, signed out, expired, or user disabled)."""

    code = "web.sign_in_required"

    def __init__(self, message: str = "sign in to see this page", *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


class CsrfRejected(Forbidden):
    code = "web.csrf_rejected"


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json")


def _error_page(request: Request, status: int, code: str, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"code": code, "message": message}, status_code=status)
    title = _TITLES.get(status, "Error")
    context = {"title": title, "status": status, "code": code, "message": message}
    return page(request, "error.html", context, status=status)


def _sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    if wants_json(request):
        return JSONResponse(exc.to_dict(), status_code=401)
    query = {"next": request.url.path}
    if exc.expired:
        query["expired"] = "1"
    return RedirectResponse(f"/signin?{urlencode(query)}", status_code=303)


def _jointprobe(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JointprobeError)
    return _error_page(request, exc.status, exc.code, exc.message)


def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = "not_found" if exc.status_code == 404 else f"http.{exc.status_code}"
    message = "no such page" if exc.status_code == 404 else str(exc.detail)
    return _error_page(request, exc.status_code, code, message)


def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        f"{'.'.join(str(p) for p in err.get('loc', ()))}: {err.get('msg', 'invalid')}"
        for err in exc.errors()
    ]
    return _error_page(request, 422, "request.invalid", "; ".join(problems) or "invalid request")


def install_page_errors(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, _sign_in)
    app.add_exception_handler(JointprobeError, _jointprobe)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _invalid)
