"""The layers of docs/ARCHITECTURE.md hold: import-linter's contracts
(pyproject.toml, [tool.importlinter]) pass on the code as it is, and fail
when an import goes the wrong way, which is tried here on a copy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "accounts", "marketplace", "matching", "dashboards", "demo", "textkit")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def copy(tmp_path):
    """The project's packages and pyproject.toml, copied to try an import on."""
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_copy_is_kept_before_anything_is_added(copy):
    assert lint_imports(copy).returncode == 0


@pytest.mark.parametrize(
    "module, line, contract",
    [
        # A lower app reaching up instead of sending a signal.
        ("accounts/services.py", "from matching.services import hooks", "Layers"),
        ("marketplace/services/listings.py", "from matching.services.hooks import listing_matches_refresh", "Layers"),
        ("matching/selectors.py", "from dashboards import selectors", "Layers"),
        # Plumbing that knows an app.
        ("config/api/errors.py", "from marketplace.errors import TransitionNotAllowed", "config imports no app"),
        # The pure libraries.
        ("matching/ml/engine.py", "from django.conf import settings", "matching.ml is a pure library"),
        ("matching/ml/ranker.py", "from matching.models import RankerModel", "matching.ml is a pure library"),
        ("textkit/normalize.py", "from django.utils.text import slugify", "textkit uses the standard library only"),
    ],
)
def test_an_import_the_wrong_way_breaks_a_contract(copy, module, line, contract):
    path = copy / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")

    result = lint_imports(copy)

    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if " BROKEN" in row]
    assert any(row.startswith(contract) for row in broken), result.stdout
