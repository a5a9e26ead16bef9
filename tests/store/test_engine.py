import os
from pathlib import Path

import pytest

from jointprobe.config import Settings
from jointprobe.errors import ConfigError, StorageError
from jointprobe.node import init_node, open_node
from jointprobe.store import make_engine


def test_unreachable_database_url_is_a_clear_storage_error() -> None:
    with pytest.raises(StorageError) as info:
        make_engine("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    assert "cannot reach the database" in info.value.message
    assert "secret" not in str(info.value)


def test_malformed_database_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        make_engine("not a url at all")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_data_dir_without_write_permission_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(ConfigError) as info:
        init_node(Settings(data_dir=locked), "us-x", "X", "US")
    assert "not writable" in info.value.message


def test_data_dir_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError):
        init_node(Settings(data_dir=blocker / "sub"), "us-x", "X", "US")


def test_opening_a_dir_without_a_node_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        open_node(Settings(data_dir=tmp_path))
    assert "jointprobe init" in info.value.message
