"""The built wheel and sdist, not only the editable install: they carry the templates and
static files, and the wheel installed into a fresh venv indexes and serves every page."""
from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted(p.name for p in (ROOT / "templates").glob("*.html"))

pytestmark = pytest.mark.slow


SOURCES = ("pyproject.toml", "README.md", "indexer", "searchapp", "templates")


def _build(kind: str, out: Path) -> Path:
    """`pip wheel` / setuptools sdist of a copy of this checkout (the build writes build/ and
    *.egg-info next to the sources, never into the working tree), offline (no isolation)."""
    src = out / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    if kind == "wheel":
        cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
               "--no-index", "-q", "-w", str(out), str(src)]
    else:
        cmd = [sys.executable, "-c", "from setuptools import build_meta as b; import sys; "
               "print(b.build_sdist(sys.argv[1]))", str(out)]
    subprocess.run(cmd, check=True, cwd=src, capture_output=True, text=True, timeout=300)
    found = sorted(out.glob("*.whl" if kind == "wheel" else "*.tar.gz"))
    assert found, f"no {kind} in {out}"
    return found[0]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _build("wheel", tmp_path_factory.mktemp("wheel"))


def test_wheel_carries_templates_and_static(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in TEMPLATES:
        assert f"searchapp/templates/{name}" in names, name
    assert "searchapp/static/app.css" in names and "searchapp/static/app.js" in names
    assert any(n.startswith("indexer/data/") for n in names)


def test_sdist_carries_the_top_level_templates(tmp_path):
    sdist = _build("sdist", tmp_path)
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for name in TEMPLATES:
        assert f"templates/{name}" in names, name


def test_installed_wheel_serves_every_page(wheel, tmp_path, seeds_dir):
    """A fresh venv with only the wheel of newsearch (its dependencies are borrowed from the
    running environment through a .pth path entry, so no network is needed)."""
    env_dir = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    fresh_site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                check=True, capture_output=True, text=True).stdout.strip()
    # a plain path entry: the dev environment's own .pth files (the editable install) are not run
    Path(fresh_site, "zz_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    index_dir = tmp_path / "index"
    work = tmp_path / "elsewhere"          # not the checkout, so nothing is imported from it
    work.mkdir()
    subprocess.run([str(env_dir / "bin" / "newsearch"), "index", str(seeds_dir), "--index-dir", str(index_dir)],
                   check=True, capture_output=True, text=True, cwd=work, timeout=300)
    script = """
import sys, searchapp
assert searchapp.__file__.startswith(sys.argv[2]), searchapp.__file__
from searchapp.web import create_app
client = create_app({"INDEX_DIR": sys.argv[1]}).test_client()
for url in ["/", "/?q=%E7%AD%BE%E7%BA%A6", "/static/app.css", "/no-such-page"]:
    r = client.get(url)
    print(url, r.status_code, len(r.data))
    assert r.status_code == (404 if url == "/no-such-page" else 200), (url, r.status_code)
hit = client.get("/api/search?q=%E7%AD%BE%E7%BA%A6").get_json()["hits"][0]
r = client.get("/articles/" + hit["id"])
assert r.status_code == 200 and hit["title"] in r.get_data(as_text=True)
print("ok")
"""
    run = subprocess.run([str(py), "-c", script, str(index_dir), str(env_dir)], capture_output=True,
                         text=True, cwd=work, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().endswith("ok")
