"""Search service (no Flask) and the Flask web front end built on it."""
from __future__ import annotations


def create_app(config=None):
    """Application factory; see searchapp.web."""
    from searchapp.web import create_app as _create_app
    return _create_app(config)
