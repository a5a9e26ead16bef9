import stat

import nacl.pwhash
import pytest

from jointprobe.exchange.errors import (
    BadPassphrase,
    InsecureKeyFile,
    KeyFileError,
    PassphraseRequired,
)
from jointprobe.exchange.keys import NodeKeys, is_sealed, load_keys, save_keys
from jointprobe.exchange.wire import b64e

FAST = {
    "opslimit": nacl.pwhash.argon2id.OPSLIMIT_MIN,
    "memlimit": nacl.pwhash.argon2id.MEMLIMIT_MIN,
}


def test_key_file_round_trips_and_is_private_to_its_owner(tmp_path):
    keys = NodeKeys.generate("us-hsi-nola")
    path = tmp_path / "keys" / "node.key"
    save_keys(keys, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_keys(path)
    assert loaded.sign_public == keys.sign_public
    assert loaded.box_public == keys.box_public
    assert loaded.fingerprint == keys.fingerprint


def test_key_file_readable_by_group_is_refused(tmp_path):
    path = tmp_path / "node.key"
    save_keys(NodeKeys.generate("us-hsi-nola"), path)
    path.chmod(0o640)
    with pytest.raises(InsecureKeyFile) as info:
        load_keys(path)
    assert info.value.code == "keys.insecure_file"


def test_sealed_key_file_needs_the_passphrase_and_hides_the_keys(tmp_path):
    keys = NodeKeys.generate("cn-mps-nnc")
    path = tmp_path / "node.key"
    save_keys(keys, path, passphrase="correct horse", **FAST)
    text = path.read_text()
    assert b64e(bytes(keys.signing)) not in text
    assert b64e(bytes(keys.box)) not in text
    assert is_sealed(path)
    with pytest.raises(PassphraseRequired):
        load_keys(path)
    with pytest.raises(BadPassphrase) as info:
        load_keys(path, passphrase="wrong horse")
    assert info.value.status == 401
    assert load_keys(path, passphrase="correct horse").fingerprint == keys.fingerprint


def test_repr_and_errors_never_show_private_keys(tmp_path):
    keys = NodeKeys.generate("us-hsi-nola")
    secret = b64e(bytes(keys.signing))
    assert secret not in repr(keys)
    path = tmp_path / "node.key"
    save_keys(keys, path, passphrase="pw", **FAST)
    with pytest.raises(BadPassphrase) as info:
        load_keys(path, passphrase="nope")
    assert secret not in str(info.value)


def test_missing_or_foreign_key_file_is_a_key_file_error(tmp_path):
    with pytest.raises(KeyFileError):
        load_keys(tmp_path / "absent.key")
    path = tmp_path / "other.key"
    path.write_text('{"hello": 1}')
    path.chmod(0o600)
    with pytest.raises(KeyFileError):
        load_keys(path)


def test_node_id_must_be_well_formed():
    with pytest.raises(Exception) as info:
        NodeKeys.generate("Not A Node!")
    assert info.value.code == "envelope.malformed"  # type: ignore[attr-defined]
