"""Checksummed address encodings: Base58Check, Bech32/Bech32m, CashAddr, Monero Base58.

Each ``decode_*`` returns the payload or raises ``ValueError`` with the
reason; the callers turn that into :class:`InvalidSelector`.
"""

from __future__ import annotations

import hashlib

from jointprobe.entities.normalise._keccak import keccak256

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(BASE58_ALPHABET)}
BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(BECH32_ALPHABET)}
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _b58_to_int(text: str) -> int:
    number = 0
    for char in text:
        if char not in _B58_INDEX:
            raise ValueError(f"character {char!r} is not Base58")
        number = number * 58 + _B58_INDEX[char]
    return number


def decode_base58check(text: str) -> bytes:
    """Return version+payload of a Base58Check string (checksum verified)."""
    number = _b58_to_int(text)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    raw = b"\x00" * (len(text) - len(text.lstrip("1"))) + body
    if len(raw) < 5:
        raise ValueError("too short for Base58Check")
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        raise ValueError("Base58Check checksum does not match")
    return payload


def encode_base58check(payload: bytes) -> str:
    """Encode ``payload`` (version included) with its 4-byte checksum."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(raw, "big")
    chars = []
    while number:
        number, rest = divmod(number, 58)
        chars.append(BASE58_ALPHABET[rest])
    return "1" * (len(raw) - len(raw.lstrip(b"\x00"))) + "".join(reversed(chars))


def _bech32_polymod(values: list[int]) -> int:
    generators = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i, generator in enumerate(generators):
            if (top >> i) & 1:
                check ^= generator
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def decode_bech32(text: str) -> tuple[str, list[int], int]:
    """Return (human-readable part, 5-bit data without checksum, constant)."""
    if text.lower() != text and text.upper() != text:
        raise ValueError("Bech32 must not mix upper and lower case")
    text = text.lower()
    pos = text.rfind("1")
    if pos < 1 or pos + 7 > len(text) or len(text) > 90:
        raise ValueError("not a Bech32 string (separator or length)")
    hrp, data_part = text[:pos], text[pos + 1 :]
    if any(c not in _BECH32_INDEX for c in data_part):
        raise ValueError("character outside the Bech32 alphabet")
    data = [_BECH32_INDEX[c] for c in data_part]
    constant = _bech32_polymod(_hrp_expand(hrp) + data)
    if constant not in (BECH32_CONST, BECH32M_CONST):
        raise ValueError("Bech32 checksum does not match")
    return hrp, data[:-6], constant


def convert_bits(data: list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    """Regroup a list of ``from_bits``-wide integers into ``to_bits``-wide ones."""
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad and bits:
        out.append((acc << (to_bits - bits)) & maxv)
    elif not pad and (bits >= from_bits or (acc << (to_bits - bits)) & maxv):
        raise ValueError("invalid padding in Bech32 data")
    return out


def _cashaddr_polymod(values: list[int]) -> int:
    generators = (0x98F2BC8E61, 0x79B76D99E2, 0xF33E5FB3C4, 0xAE2EABE2A8, 0x1E4F43E470)
    check = 1
    for value in values:
        top = check >> 35
        check = ((check & 0x07FFFFFFFF) << 5) ^ value
        for i, generator in enumerate(generators):
            if (top >> i) & 1:
                check ^= generator
    return check ^ 1


def decode_cashaddr(text: str, default_prefix: str = "bitcoincash") -> tuple[str, str]:
    """Return (prefix, payload text) of a Bitcoin Cash CashAddr (checksum verified)."""
    lowered = text.lower()
    prefix, _, payload = lowered.rpartition(":")
    prefix = prefix or default_prefix
    if any(c not in _BECH32_INDEX for c in payload) or len(payload) < 9:
        raise ValueError("not a CashAddr payload")
    values = [ord(c) & 31 for c in prefix] + [0] + [_BECH32_INDEX[c] for c in payload]
    if _cashaddr_polymod(values) != 0:
        raise ValueError("CashAddr checksum does not match")
    return prefix, payload


_XMR_BLOCK_SIZES = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}


def decode_monero(text: str) -> bytes:
    """Return the payload of a Monero address (blockwise Base58, Keccak checksum)."""
    out = bytearray()
    for start in range(0, len(text), 11):
        block = text[start : start + 11]
        size = _XMR_BLOCK_SIZES.get(len(block))
        if size is None:
            raise ValueError("not a Monero Base58 length")
        number = _b58_to_int(block)
        if number >= 1 << (8 * size):
            raise ValueError("Monero Base58 block overflows")
        out += number.to_bytes(size, "big")
    payload, checksum = bytes(out[:-4]), bytes(out[-4:])
    if len(payload) < 65 or keccak256(payload)[:4] != checksum:
        raise ValueError("Monero checksum does not match")
    return payload
