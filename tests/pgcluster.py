"""A throwaway PostgreSQL server for tests that take the database away.

The outage test stops the server the site is talking to. It must never be the server other test
runs, benchmarks or people share, so it gets one of its own: `initdb` in a temporary folder,
started on a free port with its socket in that folder, and removed afterwards. Debian's server
binaries (`/usr/lib/postgresql/<version>/bin`) do the work; as root (how CI runs) they run as the
`postgres` system user, since PostgreSQL refuses to run as root.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def server_bin_dir() -> Path | None:
    """The newest installed server's binaries, or None when no server is installed."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return versions[-1] if versions else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayCluster:
    """One PostgreSQL server in a temporary folder: start, stop, start again, remove."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_user = os.geteuid() == 0

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin_dir / program), *args]
        if self.as_user:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, timeout=timeout, capture_output=True)  # noqa: S603

    def create(self) -> None:
        if self.as_user:
            shutil.chown(self.folder, user="postgres", group="postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c max_connections=40"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def remove(self) -> None:
        if self.data.exists() and self.running():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
