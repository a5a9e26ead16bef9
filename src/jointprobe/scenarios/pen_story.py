"""The demo's pre-export notification: the Chinese node notifies an export of ephedrine
to the US node, whose regulator answers no objection (fictional parties, real substance)."""

from __future__ import annotations

from typing import Any

from jointprobe.scenarios.precursor_trade import LABEL, pen_form
from jointprobe.scenarios.xingtai.twonode import Api, DemoNode, wait_for
from jointprobe.timeutil import utcnow


def run_pen_story(us: DemoNode, cn: DemoNode) -> dict[str, Any]:
    """Send, receive, answer and read back one notification through both nodes' APIs."""
    cna, usa = Api(cn, cn.regulator_token), Api(us, us.regulator_token)
    try:
        form = pen_form(utcnow())
        sent = cna.post("/precursors/notifications", {**form, "to": us.spec.node_id})
        pen_id = sent["id"]

        def arrived() -> Any:
            return next((n for n in usa.get("/precursors/notifications") if n["id"] == pen_id),
                        None)  # fmt: skip

        received = wait_for("the notification at the US node", arrived, sender=cna)
        usa.post(
            f"/precursors/notifications/{pen_id}/answer",
            {"decision": "no-objection", "reason": "Importer registered; quantity consistent "
             "with its licensed production"},
        )  # fmt: skip

        def answered() -> Any:
            rows = cna.get(f"/precursors/{pen_id}")
            return rows[0] if rows and rows[0]["state"] == "answered" else None

        final = wait_for("the answer at the Chinese node", answered, sender=usa)
        return {"id": pen_id, "form": form, "received": received, "final": final,
                "label": LABEL}  # fmt: skip
    finally:
        cna.close()
        usa.close()


__all__ = ["run_pen_story"]
