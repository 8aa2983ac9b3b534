"""The test suite's external tools (installed by `make test`, never committed): where they are,
and running the Nu HTML Checker so that only a real, complete report can pass.

`tests/browser/package.json` pins axe-core and the Nu HTML checker; `make test` installs them
with npm into `tests/browser/node_modules/`. A missing tool skips its tests with a message,
except under CI (CI=true), where it is a failure.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

NODE_MODULES = Path(__file__).resolve().parent / "browser" / "node_modules"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"


def require(condition: bool, message: str) -> None:
    """Skip the test when a tool is missing; under CI, fail instead."""
    if condition:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (required under CI)")
    pytest.skip(message)


# A Redis database of the local server for the tests that share a cache (CI starts the server).
LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def redis_reachable(url: str = LOCAL_REDIS) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def require_redis() -> None:
    require(
        redis_reachable(),
        "no Redis on 127.0.0.1:6379 to share a cache through: apt-get install redis-server",
    )


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


# What axe-core checks: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best practices.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[dict]:
    """What axe-core finds wrong on the page as it is now (each rule with up to five of its
    elements); fails the test if axe ran no checks at all."""
    page.evaluate(axe_js().read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    assert result["passes"], "axe ran no checks"
    return [
        {
            "rule": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [node["target"] for node in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def lighthouse(url: str, *, chromium: Path, desktop: bool) -> dict:
    """Lighthouse's report on `url` (phone, or desktop with `desktop`), run with Debian's
    Chromium; its categories' scores are in `report["categories"]`."""
    node = shutil.which("node")
    require(node is not None, "node not found: apt-get install nodejs")
    require(LIGHTHOUSE.exists(), f"{LIGHTHOUSE} missing: run `make test` (npm installs it)")
    command = [
        node,
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--quiet",
        f"--chrome-path={chromium}",
        "--chrome-flags=--headless --no-sandbox --disable-gpu",
        "--only-categories=performance,accessibility,best-practices,seo",
        *(["--preset=desktop"] if desktop else []),
    ]
    # Lighthouse sometimes fails to record a trace of the load in a busy headless Chromium
    # ("Runtime error encountered ... (NO_NAVSTART)"): that is the tool's failure, not the
    # page's, and running it again is what its message asks for. Any other failure, and a
    # third tool failure in a row, fails the test; scores are never retried.
    for _attempt in range(3):
        result = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)  # noqa: S603 - fixed command
        if result.returncode == 0 or "Runtime error encountered" not in result.stderr:
            break
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout)
    assert not report.get("runtimeError"), report["runtimeError"]
    return report


def html_errors(paths: list[Path]) -> list[str]:
    """The Nu HTML Checker's errors in the documents at `paths`, as "file:line: message".

    Silence is not validity: the checker says nothing about a file it cannot find, and a crash
    leaves no report. So the test fails unless the checker names every file as checked, answers
    with a JSON report, and exits 0 exactly when that report holds no error (1 when it does).
    """
    command = [java(), "-jar", str(vnu_jar()), "--errors-only", "--format", "json", "--verbose"]
    result = subprocess.run(  # noqa: S603 - fixed arguments and the caller's own files
        [*command, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    checked = result.stdout.splitlines()
    if sorted(checked) != sorted(map(str, paths)):
        pytest.fail(f"The HTML checker checked {checked}, not {list(map(str, paths))}: {result}")
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"The HTML checker gave no JSON report (exit {result.returncode}): {result}")
    errors = [
        f"{Path(m.get('url', '').removeprefix('file:')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
    ]
    if result.returncode != (1 if errors else 0):
        pytest.fail(f"The HTML checker exited {result.returncode} with errors {errors}: {result}")
    return errors
