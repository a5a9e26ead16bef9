"""C9: the FastAPI app (REST API under /api/v1; web pages as they come)."""

from jointprobe.web.app import create_app

__all__ = ["create_app"]
