"""This node's keys and card: created on first use, kept in ``data_dir/node.key``."""

from __future__ import annotations

import threading
from pathlib import Path

from jointprobe.config import Settings
from jointprobe.exchange.card import NodeCard
from jointprobe.exchange.keys import NodeKeys, load_keys, save_keys
from jointprobe.node import Node

KEY_FILE = "node.key"
_cache: dict[tuple[str, str], NodeKeys] = {}
_lock = threading.Lock()


def key_path(settings: Settings) -> Path:
    return settings.data_dir.expanduser() / KEY_FILE


def node_keys(node: Node) -> NodeKeys:
    """The node's private keys, generated (and sealed if a passphrase is set) on first use."""
    path = key_path(node.settings)
    cache_key = (str(path), node.identity.id)
    with _lock:
        keys = _cache.get(cache_key)
        if keys is None:
            if path.exists():
                keys = load_keys(path, passphrase=node.settings.key_passphrase)
            else:
                keys = NodeKeys.generate(node.identity.id)
                save_keys(keys, path, passphrase=node.settings.key_passphrase)
            _cache[cache_key] = keys
    return keys


def endpoint(settings: Settings) -> str:
    return settings.endpoint or f"http://{settings.host}:{settings.port}"


def own_card(node: Node, keys: NodeKeys | None = None) -> NodeCard:
    """This node's card, self-signed, with the configured endpoint."""
    keys = keys or node_keys(node)
    ident = node.identity
    return NodeCard.create(
        keys, name=ident.name, country=ident.country, endpoint=endpoint(node.settings)
    )


def rotate_keys(node: Node) -> tuple[NodeKeys, dict[str, object]]:
    """Generate new keys; return them and the card update (signed by the old key).

    The old key file is kept as ``node.key.old`` until the operator deletes it.
    """
    from jointprobe.exchange.card import CardUpdate

    old = node_keys(node)
    new = NodeKeys.generate(old.node_id)
    update = CardUpdate.create(old, own_card(node, new))
    path = key_path(node.settings)
    save_keys(old, path.with_name(KEY_FILE + ".old"), passphrase=node.settings.key_passphrase)
    save_keys(new, path, passphrase=node.settings.key_passphrase)
    with _lock:
        _cache[(str(path), old.node_id)] = new
    return new, update.to_dict()


__all__ = ["endpoint", "key_path", "node_keys", "own_card", "rotate_keys"]
