"""Node identity: an Ed25519 signing key and an X25519 box key in a 0600 key file.

The file is JSON. Unsealed, it holds the two private keys in base64url; sealed
with a passphrase, it holds Argon2id parameters, a salt and a secretbox of the
same JSON. Private keys never appear in ``repr``, logs or error messages.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.utils
from nacl.public import PrivateKey
from nacl.secret import SecretBox
from nacl.signing import SigningKey

from jointprobe.exchange.errors import (
    BadPassphrase,
    InsecureKeyFile,
    KeyFileError,
    MalformedEnvelope,
    PassphraseRequired,
)
from jointprobe.exchange.wire import b64d, b64e, check_node_id, fingerprint_of

KEY_FILE_VERSION = "jp/1-keys"
#: Argon2id cost used when sealing a key file (libsodium's "moderate" level).
DEFAULT_OPSLIMIT = nacl.pwhash.argon2id.OPSLIMIT_MODERATE
DEFAULT_MEMLIMIT = nacl.pwhash.argon2id.MEMLIMIT_MODERATE


@dataclass(frozen=True, repr=False)
class NodeKeys:
    """The private keys of one node."""

    node_id: str
    signing: SigningKey
    box: PrivateKey

    @classmethod
    def generate(cls, node_id: str) -> NodeKeys:
        check_node_id(node_id, field="node_id")
        return cls(node_id, SigningKey.generate(), PrivateKey.generate())

    @property
    def sign_public(self) -> bytes:
        return bytes(self.signing.verify_key)

    @property
    def box_public(self) -> bytes:
        return bytes(self.box.public_key)

    @cached_property
    def fingerprint(self) -> str:
        """Fingerprint of this node's public keys (docs/protocol.md §1)."""
        return fingerprint_of(self.node_id, self.sign_public, self.box_public)

    def public_dict(self) -> dict[str, str]:
        return {"sign": b64e(self.sign_public), "box": b64e(self.box_public)}

    def __repr__(self) -> str:
        return f"NodeKeys(node_id={self.node_id!r}, keys=<private>)"

    def _secret_dict(self) -> dict[str, str]:
        return {
            "node_id": self.node_id,
            "sign": b64e(bytes(self.signing)),
            "box": b64e(bytes(self.box)),
        }

    @classmethod
    def _from_secret_dict(cls, data: Any) -> NodeKeys:
        try:
            node_id = check_node_id(data["node_id"], field="node_id")
            sign = b64d(data["sign"], field="sign", length=32)
            box = b64d(data["box"], field="box", length=32)
        except (KeyError, TypeError, MalformedEnvelope) as exc:
            raise KeyFileError("key file is not a jointprobe key file") from exc
        return cls(node_id, SigningKey(sign), PrivateKey(box))


def save_keys(
    keys: NodeKeys,
    path: Path,
    *,
    passphrase: str | None = None,
    opslimit: int = DEFAULT_OPSLIMIT,
    memlimit: int = DEFAULT_MEMLIMIT,
) -> None:
    """Write ``keys`` to ``path`` with mode 0600, sealed when a passphrase is given."""
    secret = keys._secret_dict()
    document: dict[str, Any] = {"version": KEY_FILE_VERSION, "node_id": keys.node_id}
    if passphrase is None:
        document["keys"] = secret
    else:
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        box = SecretBox(_derive(passphrase, salt, opslimit, memlimit))
        sealed = box.encrypt(json.dumps(secret).encode())
        document["kdf"] = {
            "alg": "argon2id",
            "salt": b64e(salt),
            "opslimit": opslimit,
            "memlimit": memlimit,
        }
        document["sealed"] = b64e(bytes(sealed))
    _write_private(path, json.dumps(document, indent=2).encode() + b"\n")


def load_keys(path: Path, *, passphrase: str | None = None) -> NodeKeys:
    """Read a key file, refusing one that others than its owner could read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise KeyFileError(f"no key file at {path}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InsecureKeyFile(f"{path} is accessible by group or others; chmod 600 it")
    try:
        document = json.loads(path.read_bytes())
    except (ValueError, OSError) as exc:
        raise KeyFileError(f"{path} is not a jointprobe key file") from exc
    if not isinstance(document, dict) or document.get("version") != KEY_FILE_VERSION:
        raise KeyFileError(f"{path} is not a jointprobe key file")
    if "keys" in document:
        return NodeKeys._from_secret_dict(document["keys"])
    if passphrase is None:
        raise PassphraseRequired(f"{path} is sealed; a passphrase is needed")
    return NodeKeys._from_secret_dict(_unseal(document, passphrase))


def is_sealed(path: Path) -> bool:
    try:
        return "sealed" in json.loads(path.read_bytes())
    except (ValueError, OSError):
        return False


def _unseal(document: dict[str, Any], passphrase: str) -> Any:
    try:
        kdf = document["kdf"]
        if kdf["alg"] != "argon2id":
            raise KeyFileError("unsupported key derivation")
        salt = b64d(kdf["salt"], field="salt", length=nacl.pwhash.argon2id.SALTBYTES)
        key = _derive(passphrase, salt, int(kdf["opslimit"]), int(kdf["memlimit"]))
        sealed = b64d(document["sealed"], field="sealed")
    except (KeyError, TypeError, ValueError, MalformedEnvelope) as exc:
        raise KeyFileError("sealed key file is damaged") from exc
    try:
        return json.loads(SecretBox(key).decrypt(sealed))
    except nacl.exceptions.CryptoError as exc:
        raise BadPassphrase("the passphrase does not open this key file") from exc


def _derive(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    return bytes(
        nacl.pwhash.argon2id.kdf(
            SecretBox.KEY_SIZE,
            passphrase.encode("utf-8"),
            salt,
            opslimit=opslimit,
            memlimit=memlimit,
        )
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write atomically; the file is created 0600 and never exists wider."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


__all__ = ["NodeKeys", "is_sealed", "load_keys", "save_keys"]
