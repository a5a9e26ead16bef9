"""Cryptocurrency addresses, checked by their own checksums.

- Bitcoin (``XBT``/``BTC``) and Litecoin: Base58Check with the chain's
  version bytes, or SegWit Bech32 (witness v0) / Bech32m (v1+).
- Ethereum and EVM chains (ETH, ETC, USDT, USDC, ARB, BSC…): 20 bytes of hex;
  a mixed-case address must carry a valid EIP-55 checksum. The selector is the
  lower-case form, since the same key is the same wallet on every EVM chain.
- Tron (TRX, and USDT on Tron), Dash, Zcash t-addresses, Bitcoin Gold, Verge:
  Base58Check.
- Bitcoin Cash: CashAddr (``bitcoincash:q…``) or legacy Base58Check.
- Monero: blockwise Base58 with a Keccak checksum.

Currency codes follow OFAC's ``Digital Currency Address - XBT`` labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from jointprobe.entities.normalise._codecs import (
    BECH32_CONST,
    convert_bits,
    decode_base58check,
    decode_bech32,
    decode_cashaddr,
    decode_monero,
)
from jointprobe.entities.normalise._keccak import keccak256
from jointprobe.errors import InvalidSelector

_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
_EVM = {"ETH", "ETC", "USDC", "ARB", "BSC", "BNB", "MATIC", "POL", "DAI"}
# version bytes of Base58Check addresses per chain
_BASE58_VERSIONS: dict[str, set[bytes]] = {
    "XBT": {b"\x00", b"\x05"},
    "LTC": {b"\x30", b"\x32", b"\x05"},
    "TRX": {b"\x41"},
    "DASH": {b"\x4c", b"\x10"},
    "ZEC": {b"\x1c\xb8", b"\x1c\xbd"},
    "BTG": {b"\x26", b"\x17"},
    "XVG": {b"\x1e", b"\x21"},
    "BCH": {b"\x00", b"\x05"},
}
_SEGWIT_HRP = {"XBT": "bc", "LTC": "ltc"}
_ALIASES = {"BTC": "XBT", "BITCOIN": "XBT", "ETHEREUM": "ETH", "TRON": "TRX", "MONERO": "XMR"}


def _fail(raw: str, reason: str, where: str) -> InvalidSelector:
    return InvalidSelector(f"{raw!r} is not a valid wallet address: {reason}", where=where)


def eip55(address_hex: str) -> str:
    """Return the EIP-55 mixed-case form of a 40-hex-digit address (no ``0x``)."""
    lower = address_hex.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(lower)
    )


def _evm(raw: str, text: str, where: str) -> str:
    if not _HEX_ADDRESS.match(text):
        raise _fail(raw, "an EVM address is 0x followed by 40 hex digits", where)
    body = text[2:]
    if body != body.lower() and body != body.upper() and eip55(body) != text:
        raise _fail(raw, "the EIP-55 mixed-case checksum does not match", where)
    return "0x" + body.lower()


def _segwit(raw: str, text: str, hrp: str, where: str) -> str:
    try:
        found_hrp, data, constant = decode_bech32(text)
        if found_hrp != hrp or not data:
            raise ValueError(f"expected prefix {hrp}1")
        version = data[0]
        program = convert_bits(data[1:], 5, 8, False)
    except ValueError as exc:
        raise _fail(raw, str(exc), where) from exc
    if version > 16 or not 2 <= len(program) <= 40:
        raise _fail(raw, "invalid witness version or program length", where)
    if version == 0 and len(program) not in (20, 32):
        raise _fail(raw, "a v0 witness program is 20 or 32 bytes", where)
    if (version == 0) != (constant == BECH32_CONST):
        raise _fail(raw, "v0 needs Bech32 and v1+ needs Bech32m", where)
    return text.lower()


def _base58(raw: str, text: str, currency: str, where: str) -> str:
    try:
        payload = decode_base58check(text)
    except ValueError as exc:
        raise _fail(raw, str(exc), where) from exc
    versions = _BASE58_VERSIONS.get(currency)
    if versions is not None and not any(payload.startswith(v) for v in versions):
        raise _fail(raw, f"version byte is not a {currency} address", where)
    return text


def _bitcoin_like(currency: str) -> Callable[[str, str, str], str]:
    def check(raw: str, text: str, where: str) -> str:
        hrp = _SEGWIT_HRP.get(currency)
        if hrp and text.lower().startswith(hrp + "1"):
            return _segwit(raw, text, hrp, where)
        return _base58(raw, text, currency, where)

    return check


def _bch(raw: str, text: str, where: str) -> str:
    if text.lower().startswith(("bitcoincash:", "q", "p")) and not text.startswith(("1", "3")):
        try:
            prefix, payload = decode_cashaddr(text)
        except ValueError as exc:
            raise _fail(raw, str(exc), where) from exc
        return f"{prefix}:{payload}"
    return _base58(raw, text, "BCH", where)


def _monero(raw: str, text: str, where: str) -> str:
    try:
        decode_monero(text)
    except ValueError as exc:
        raise _fail(raw, str(exc), where) from exc
    return text


def _usdt(raw: str, text: str, where: str) -> str:
    if text.lower().startswith("0x"):
        return _evm(raw, text, where)
    return _base58(raw, text, "TRX", where)


def _checker(currency: str) -> Callable[[str, str, str], str] | None:
    if currency in _EVM:
        return _evm
    if currency == "USDT":
        return _usdt
    if currency == "BCH":
        return _bch
    if currency == "XMR":
        return _monero
    if currency in _BASE58_VERSIONS:
        return _bitcoin_like(currency)
    return None


def normalise_wallet(raw: str, currency: str | None = None, *, where: str = "wallet") -> str:
    """Return a comparable wallet address after verifying its checksum.

    With no ``currency`` the form decides: ``0x…`` is EVM, ``bc1…`` SegWit,
    otherwise Base58Check. An address whose checksum cannot be verified is
    refused rather than stored unchecked.
    """
    text = raw.strip()
    if not text:
        raise InvalidSelector("empty wallet address", where=where)
    code = (currency or "").strip().upper()
    code = _ALIASES.get(code, code)
    if code:
        checker = _checker(code)
        if checker is not None:
            return checker(raw, text, where)
    if text.lower().startswith("0x"):
        return _evm(raw, text, where)
    for prefix, chain in (("bc1", "XBT"), ("ltc1", "LTC")):
        if text.lower().startswith(prefix):
            return _segwit(raw, text, _SEGWIT_HRP[chain], where)
    if text.lower().startswith("bitcoincash:"):
        return _bch(raw, text, where)
    if len(text) == 95 and text[0] in "48":
        return _monero(raw, text, where)
    return _base58(raw, text, code or "?", where)
