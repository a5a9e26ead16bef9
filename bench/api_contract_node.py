"""A node to run schemathesis against over HTTP (docs/benchmarks.md, API contract).

Creates DIR/us-hsi-nola (a peer DIR/cn-mps-nnc trusted both ways, a case, an
analyst) and prints the analyst's API token. Then, from the repository (its
``schemathesis.toml`` is the run's configuration)::

    python bench/api_contract_node.py /tmp/contract > /tmp/contract/token
    jointprobe --data-dir /tmp/contract/us-hsi-nola serve --port 8719 &
    schemathesis run http://127.0.0.1:8719/api/v1/openapi.json \\
        -H "Authorization: Bearer $(cat /tmp/contract/token)" --checks all --max-examples 300

The data is generated, not real: the node and case names are labels only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jointprobe.accounts import create_token, create_user
from jointprobe.cases import CaseIn, create_case
from jointprobe.config import Settings
from jointprobe.exchange.identity import own_card
from jointprobe.exchange.peers import add_peer
from jointprobe.node import Node, init_node
from jointprobe.store.tables import User


def make(base: Path, node_id: str, name: str, country: str, port: int) -> Node:
    settings = Settings(data_dir=base / node_id, port=port, endpoint=f"http://127.0.0.1:{port}")
    node = init_node(settings, node_id, name, country)
    with node.write_session() as session:
        create_user(session, "analyst", "analyst")
    return node


def main(base: Path) -> str:
    us = make(base, "us-hsi-nola", "HSI New Orleans (fictional test node)", "US", 8719)
    cn = make(base, "cn-mps-nnc", "MPS (fictional test node)", "CN", 8720)
    for me, other in ((us, cn), (cn, us)):
        card = own_card(other)
        with me.write_session() as session:
            add_peer(session, card.to_dict(), card.fingerprint)
    with us.write_session() as session:
        analyst = session.query(User).filter_by(username="analyst").one()
        create_case(session, analyst, CaseIn(id="contract-1", title="Contract test case"))
        token = create_token(session, "analyst")
    us.close()
    cn.close()
    return token


if __name__ == "__main__":
    print(main(Path(sys.argv[1])))
