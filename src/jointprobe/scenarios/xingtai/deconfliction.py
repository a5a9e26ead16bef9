"""Demo step: the two nodes deconflict the Diana case and find the phone they share.

Both nodes hold Diana's telephone number (FICTIONAL: the reporting does not
give it); the Chinese node's Xingtai case also holds the buyers' numbers
(generated, FICTIONAL), which the US node never learns. Both sides first see
only the count; the number itself shows once both case owners agreed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class _Api(Protocol):
    def get(self, path: str, **params: Any) -> Any: ...

    def post(self, path: str, body: dict[str, Any]) -> Any: ...


Wait = Callable[..., Any]


def _state(api: _Api, sid: str, *states: str) -> Any:
    found = [s for s in api.get("/deconflict") if s["id"] == sid and s["state"] in states]
    return api.get(f"/deconflict/{sid}") if found else None


def deconflict_cases(
    usa: _Api, cna: _Api, wait: Wait, *, us_case: str, cn_case: str, cn_node: str
) -> dict[str, Any]:
    """Run one session from the US node's case to the Chinese node's; both views at the end."""
    sid = usa.post("/deconflict", {"peer": cn_node, "case_id": us_case, "kinds": ["phone"]})["id"]
    wait("the deconfliction offer at the Chinese node",
         lambda: _state(cna, sid, "invited"), sender=usa)  # fmt: skip
    cna.post(f"/deconflict/{sid}/join", {"case_id": cn_case})
    counted = ("counted", "revealed")
    wait("the count at the US node", lambda: _state(usa, sid, *counted), sender=cna)
    counts = {
        "us": wait("the count at the Chinese node", lambda: _state(cna, sid, *counted), sender=usa)
    }
    usa.post(f"/deconflict/{sid}/consent", {})
    cna.post(f"/deconflict/{sid}/consent", {})
    us_view = wait("the reveal at the US node", lambda: _state(usa, sid, "revealed"), sender=cna)
    cn_view = wait("the reveal at the Chinese node", lambda: _state(cna, sid, "revealed"),
                   sender=usa)  # fmt: skip
    return {"id": sid, "count_at_cn": counts["us"]["count"], "us": us_view, "cn": cn_view}


__all__ = ["deconflict_cases"]
