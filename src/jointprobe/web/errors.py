"""One map from errors to JSON responses: ``{"code": ..., "message": ..., "where": ...}``.

The body is ``web.api.contract.ErrorBody``, the one error schema of the API.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jointprobe.errors import JointprobeError

_HTTP_CODES = {
    400: "request.bad",
    401: "auth.unauthorized",
    403: "auth.forbidden",
    404: "not_found",
    405: "request.method_not_allowed",
    409: "conflict",
    413: "request.too_large",
    422: "request.invalid",
    429: "auth.throttled",
}


def _jointprobe_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JointprobeError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return JSONResponse(exc.to_dict(), status_code=exc.status, headers=headers)


def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems, places = [], []
    for err in exc.errors():
        place = ".".join(str(part) for part in err.get("loc", ()))
        places.append(place)
        problems.append(f"{place}: {err.get('msg', 'invalid')}")
    body = {"code": "request.invalid", "message": "; ".join(problems) or "invalid request"}
    if places and places[0]:
        body["where"] = places[0]
    return JSONResponse(body, status_code=422)


def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http.error")
    return JSONResponse({"code": code, "message": str(exc.detail)}, status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JointprobeError, _jointprobe_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
