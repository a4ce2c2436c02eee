"""The FastAPI application `deploycheck verify` is tested against.

One app with the audit's three health routes behind Starlette's real CORSMiddleware; each
variant the verify tests need is chosen by environment variables, read once at import, so the
Rust harness (tests/common/uvicorn.rs) starts `uvicorn app:app` with a different environment
instead of keeping one file per variant. See README.md for what each variant answers.

- VERIFY_READINESS=down: /health/readiness answers 503 and names the database as down.
- VERIFY_CORS_ORIGINS: JSON list of allowed origins, default ["https://app.example.com"].
- VERIFY_CORS_CREDENTIALS=1: allow_credentials=True (with ["*"], Starlette reflects the Origin).
- VERIFY_DOCS=1: /docs, /redoc and /openapi.json on (off by default, as in production).
- VERIFY_SLOW_MS=N: /health sleeps N ms before answering.
- VERIFY_TRACEBACK=1: /health raises and the app runs with debug=True, so Starlette's
  ServerErrorMiddleware answers 500 with the traceback (HTML for an Accept with text/html,
  plain text otherwise).
- VERIFY_HSTS=1: every response carries Strict-Transport-Security: max-age=31536000.
"""

import asyncio
import json
import os

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, RedirectResponse


def _flag(name: str) -> bool:
    return os.environ.get(name, "") == "1"


READINESS_DOWN = os.environ.get("VERIFY_READINESS", "") == "down"
CORS_ORIGINS = json.loads(os.environ.get("VERIFY_CORS_ORIGINS", '["https://app.example.com"]'))
CORS_CREDENTIALS = _flag("VERIFY_CORS_CREDENTIALS")
DOCS = _flag("VERIFY_DOCS")
SLOW_MS = int(os.environ.get("VERIFY_SLOW_MS", "0"))
TRACEBACK = _flag("VERIFY_TRACEBACK")
HSTS = _flag("VERIFY_HSTS")

if not isinstance(CORS_ORIGINS, list) or not all(isinstance(o, str) for o in CORS_ORIGINS):
    raise SystemExit("VERIFY_CORS_ORIGINS must be a JSON list of strings")

app = FastAPI(
    debug=TRACEBACK,
    docs_url="/docs" if DOCS else None,
    redoc_url="/redoc" if DOCS else None,
    openapi_url="/openapi.json" if DOCS else None,
)

app.add_middleware(
    CORSMiddleware,
    allow_origins=CORS_ORIGINS,
    allow_credentials=CORS_CREDENTIALS,
    allow_methods=["*"],
    allow_headers=["*"],
)


class StrictTransportSecurity:
    """Adds HSTS to every response, as a TLS-terminating proxy or a security middleware would."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_hsts)


if HSTS:
    app.add_middleware(StrictTransportSecurity)


@app.get("/health")
async def health():
    if SLOW_MS:
        await asyncio.sleep(SLOW_MS / 1000)
    if TRACEBACK:
        raise RuntimeError("verify test app: traceback variant")
    return {"status": "healthy"}


@app.get("/health/liveness")
async def liveness():
    return {"status": "alive"}


@app.get("/health/readiness")
async def readiness():
    if READINESS_DOWN:
        return JSONResponse(
            {"status": "not ready", "database": "down", "redis": "ok"}, status_code=503
        )
    return {"status": "ready", "database": "ok", "redis": "ok"}


@app.get("/redirect-away")
async def redirect_away():
    return RedirectResponse("https://elsewhere.example/", status_code=302)


@app.get("/version")
async def version():
    return {"version": "1.2.3"}
