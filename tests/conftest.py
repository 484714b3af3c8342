"""Shared fixtures: the seed pages, a real index of them, and literal page folders.

Every index is built on disk under pytest's tmp_path; nothing writes into the working tree.
"""
from __future__ import annotations

import contextlib

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check results, never speed (timings belong to benchmarks/): no per-example
# deadline, so a loaded CI machine cannot fail a correct example.
settings.register_profile("newsearch", deadline=None)
settings.load_profile("newsearch")

TESTS_DIR = Path(__file__).resolve().parent
ROOT_DIR = TESTS_DIR.parent


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The demo corpus of raw district news pages (read-only)."""
    return ROOT_DIR / "seeds"


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory, seeds_dir) -> Path:
    """A real index of seeds/ built with index_paths (shared by the session: do not modify)."""
    from indexer.indexing import index_paths

    index_dir = tmp_path_factory.mktemp("seed-index")
    report = index_paths([seeds_dir], index_dir, procs=1)
    assert not report.files_failed, report.files_failed
    assert report.added > 0
    return index_dir


@pytest.fixture
def make_pages():
    """make_pages(folder, {relative name: text}) writes UTF-8 page files and returns folder."""

    def make(folder: Path, pages: dict[str, str]) -> Path:
        folder = Path(folder)
        for name, text in pages.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    return make


# --------------------------------------------------------------------------- web (owner: web)

@pytest.fixture
def app(seed_index_dir):
    """The real Flask app over the real seed index."""
    from searchapp.web import create_app

    return create_app({"INDEX_DIR": str(seed_index_dir), "TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def live_server(seed_index_dir):
    """The app under waitress (real threaded WSGI server) on 127.0.0.1, a free port, in a
    background thread. Yields the base URL ("http://127.0.0.1:PORT"); stops at the end."""
    import threading
    import urllib.request

    import waitress
    from waitress import wasyncore

    from searchapp.web import create_app

    app = create_app({"INDEX_DIR": str(seed_index_dir)})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4, ident="newsearch-test")
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    with urllib.request.urlopen(url + "/api/info", timeout=30) as resp:   # ready and serving
        assert resp.status == 200
    try:
        yield url
    finally:
        server.close()
        wasyncore.close_all(server._map)
        server.task_dispatcher.shutdown()
        thread.join(timeout=10)


# --------------------------------------------------------------------------- browser (Playwright)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, headless; fails (never skips) with the install command when missing."""
    if not CHROMIUM.exists():
        pytest.fail(f"chromium not found at {CHROMIUM}: install it with "
                    "`apt-get install chromium fonts-noto-cjk` (or `make browser`); the browser tests need it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextlib.contextmanager
def watched_page(browser):
    """A fresh desktop-size page that fails the test on any console error (CSP violations,
    JS errors) once the test is done with it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
    assert errors == []


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop-size page on the seed index's server (see watched_page)."""
    with watched_page(browser) as pg:
        yield pg
