"""An installed game works, not only a checkout: the wheel built from the repository holds every
module, level and asset, and installed into a fresh venv outside the checkout it verifies the
campaign and lists it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What the wheel is built from (copied, so the build never writes into the checkout).
SOURCES = ("pyproject.toml", "README.md", "playground", "levels", "assets")
#: Checkout folder -> where its shipped files live inside the wheel, and which files ship.
SHIPPED = {"playground": ("playground", ("*.py",)),
           "levels": ("playground/levels", ("*.toml", "*.py")),
           "assets": ("playground/assets", ("*.tcss", "*.txt", "*.html", "*.py"))}


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline (no build isolation) from a copy of the repository's files."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "screenshots"))
        else:
            shutil.copy2(ROOT / name, src / name)
    out = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--no-index", "-q", "-w", str(out), str(src)], cwd=src)
    assert built.returncode == 0, built.stderr
    (found,) = out.glob("distsys_playground-*.whl")
    return found


def _shipped_files() -> set[str]:
    """Every file the checkout means to ship, named as it appears inside the wheel."""
    names = set()
    for folder, (inside, patterns) in SHIPPED.items():
        for pattern in patterns:
            for path in (ROOT / folder).rglob(pattern):
                if "__pycache__" not in path.parts:
                    names.add(f"{inside}/{path.relative_to(ROOT / folder).as_posix()}")
    return names


def test_the_wheel_holds_every_module_level_and_asset_and_no_screenshots(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    expected = _shipped_files()
    assert "playground/levels/campaign.toml" in expected
    assert "playground/levels/solutions/split-brain.toml" in expected
    assert "playground/assets/app.tcss" in expected
    missing = sorted(expected - inside)
    assert not missing, f"not in the wheel: {missing}"
    assert not [name for name in inside if name.endswith(".png")]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv outside the checkout with the wheel installed. It borrows this venv's
    dependencies through a ``.pth`` file (no download); ``playground`` itself comes from the
    wheel (``.pth`` lines are appended after the venv's own site-packages, and the editable
    install's finder is not loaded, as ``.pth`` files in an added folder are not read)."""
    venv = tmp_path_factory.mktemp("venv")
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=venv)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                         "'purelib'))"], cwd=venv).stdout.strip())
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = _run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                 str(wheel)], cwd=venv)
    assert done.returncode == 0, done.stderr
    return venv


def _clean_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PLAYGROUND_LEVELS_DIR", "VIRTUAL_ENV")}
    env["PLAYGROUND_DATA_DIR"] = str(data_dir)
    return env


def test_the_installed_game_loads_itself_and_its_files_from_the_new_venv(
        installed: Path, tmp_path: Path) -> None:
    code = ("import json, playground, playground.shipped as s\n"
            "from playground.tui.screens.title import ART\n"
            "from playground.tui.app import CSS_FILE\n"
            "print(json.dumps({'code': playground.__file__, 'levels': str(s.levels_folder()),\n"
            "                  'css': str(CSS_FILE), 'art': ART}))\n")
    out = _run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path,
               env=_clean_env(tmp_path))
    assert out.returncode == 0, out.stderr
    where = json.loads(out.stdout)
    for key in ("code", "levels", "css"):
        assert Path(where[key]).resolve().is_relative_to(installed.resolve()), where
        assert not Path(where[key]).resolve().is_relative_to(ROOT), where
    assert Path(where["css"]).read_text() == (ROOT / "assets" / "app.tcss").read_text()
    assert "●───────●" in where["art"]


def test_the_installed_game_verifies_and_lists_the_campaign(installed: Path,
                                                           tmp_path: Path) -> None:
    game = str(installed / "bin" / "playground")
    env = _clean_env(tmp_path)
    listed = _run([game, "levels", "--json"], cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    ids = [row["id"] for row in json.loads(listed.stdout)]
    shipped = sorted(p.stem for p in (ROOT / "levels").glob("*.toml") if p.stem != "campaign")
    assert sorted(ids) == shipped
    # a hang guard only: verify takes about 20 s on an idle machine, minutes on a loaded one
    verified = _run([game, "verify"], cwd=tmp_path, env=env, timeout=1200)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"{len(shipped)} of {len(shipped)} levels verified" in verified.stdout
