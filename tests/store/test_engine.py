import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from jointprobe.config import Settings
from jointprobe.errors import ConfigError, InvalidInput, StorageError
from jointprobe.exchange.wire import check_node_id
from jointprobe.node import init_node, open_node
from jointprobe.store import make_engine
from jointprobe.store.engine import BULK_CACHE_KIB, bulk_write_cache


def test_unreachable_database_url_is_a_clear_storage_error() -> None:
    with pytest.raises(StorageError) as info:
        make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "cannot reach the database" in info.value.message
    assert "secret" not in str(info.value)


def test_malformed_database_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        make_engine("not a url at all")


def _unprivileged() -> list[str]:
    """Run as nobody when we are root (root ignores directory permissions)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot drop privileges")
    drop = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    probe = subprocess.run([*drop, sys.executable, "-c", "import jointprobe"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("the unprivileged user cannot read this checkout (private parent folder)")
    return drop


def test_data_dir_without_write_permission_is_refused() -> None:
    with tempfile.TemporaryDirectory() as top:
        Path(top).chmod(0o755)  # traversable by the unprivileged user
        locked = Path(top) / "locked"
        locked.mkdir(mode=0o555)
        _init_in_locked(locked)


def _init_in_locked(locked: Path) -> None:
    cmd = [*_unprivileged(), sys.executable, "-m", "jointprobe.cli", "--data-dir", str(locked)]
    cmd += ["init", "--node-id", "us-x", "--name", "X", "--country", "US"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert result.returncode == ConfigError.exit_code, result.stderr
    assert "not writable" in result.stderr
    assert list(locked.iterdir()) == []


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError):
        init_node(Settings(data_dir=blocker / "sub"), "us-x", "X", "US")


def test_opening_a_dir_without_a_node_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        open_node(Settings(data_dir=tmp_path))
    assert "jointprobe init" in info.value.message


@pytest.mark.parametrize("bad", ["n1", "US-HSI", "-us", "us hsi", "x" * 65])
def test_a_node_id_the_exchange_would_refuse_is_refused_at_init(tmp_path: Path, bad: str) -> None:
    with pytest.raises(InvalidInput, match="node id must be 3-64 characters"):
        init_node(Settings(data_dir=tmp_path), bad, "N", "US")
    check_node_id("us.hsi_nola-1", field="node_id")  # the same rule accepts what init accepts
    init_node(Settings(data_dir=tmp_path), "us.hsi_nola-1", "N", "US").close()


def test_a_bulk_write_cache_is_set_for_its_block_and_set_back(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")

    def cache_size(connection: Any) -> int:
        return int(
            connection.connection.dbapi_connection.execute("PRAGMA cache_size").fetchone()[0]
        )

    with engine.connect() as connection:
        before = cache_size(connection)
        with bulk_write_cache(connection):
            assert cache_size(connection) == -BULK_CACHE_KIB
            assert not connection.in_transaction()  # a PRAGMA, not a transaction
        assert cache_size(connection) == before != -BULK_CACHE_KIB
        with pytest.raises(RuntimeError), bulk_write_cache(connection):
            raise RuntimeError("an import that fails")
        assert cache_size(connection) == before
    engine.dispose()
