"""Locating the test suite's external tools (installed by `make test`, never committed).

`tests/browser/package.json` pins axe-core and the Nu HTML checker; `make test` installs them
with npm into `tests/browser/node_modules/`. A missing tool skips its tests with a message,
except under CI (CI=true), where it is a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parent / "browser" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(condition: bool, message: str) -> None:
    """Skip the test when a tool is missing; under CI, fail instead."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (required under CI)")
    pytest.skip(message)


def java() -> str:
    path = shutil.which("java")
    require(path is not None, "java not found: apt-get install default-jre-headless")
    return path


def vnu_jar() -> Path:
    require(VNU_JAR.exists(), f"{VNU_JAR} missing: run `make test` (npm installs vnu-jar)")
    return VNU_JAR


def axe_js() -> Path:
    require(AXE_JS.exists(), f"{AXE_JS} missing: run `make test` (npm installs axe-core)")
    return AXE_JS
