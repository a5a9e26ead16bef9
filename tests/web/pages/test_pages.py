import html
import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from jointprobe.node import Node
from jointprobe.store.tables import AuditEntry

from .conftest import csrf_of, sign_in

FENTANYL = "CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1"


def test_dashboard_lists_the_users_cases_and_recent_outcomes(analyst: TestClient) -> None:
    r = analyst.get("/")
    assert r.status_code == 200
    assert "/cases/xingtai-2017" in r.text
    assert "bob-case" not in r.text
    assert "court outcome" in r.text


def test_case_page_shows_timeline_members_entities_and_markings(analyst: TestClient) -> None:
    r = analyst.get("/cases/xingtai-2017")
    assert r.status_code == 200
    text = r.text
    assert 'class="marking tlp-amber' in text and "TLP:AMBER" in text
    assert ">A1<" in text  # Admiralty grade shown
    assert "FICTIONAL" in text
    assert "Liu Yong" in text
    assert "11.9 kg" in text
    assert "<li>analyst</li>" in text


def test_case_timeline_shows_the_unnamed_defendants_sentences_as_one_line(
    analyst: TestClient,
) -> None:
    text = analyst.get("/cases/xingtai-2017").text
    timeline = text.split('id="timeline-h"')[1].split('id="entities-h"')[0]
    assert timeline.count("Defendants 4–9 (not named in the reporting)") == 1
    assert "Defendant 5 " not in timeline
    assert "Defendant 5 (not named" in text  # each remains an entity of its own


def test_a_case_the_user_may_not_see_is_not_found(analyst: TestClient) -> None:
    r = analyst.get("/cases/bob-case")
    assert r.status_code == 404
    assert "no case 'bob-case'" in html.unescape(r.text)
    assert analyst.get("/cases/bob-case/graph").status_code == 404
    assert analyst.get("/cases/bob-case/graph.json").status_code == 404


def test_a_supervisor_sees_every_case(client: TestClient) -> None:
    sign_in(client, "boss")
    assert client.get("/cases/bob-case").status_code == 200


def test_graph_json_holds_the_case_network_and_filters_by_schema(analyst: TestClient) -> None:
    data = analyst.get("/cases/xingtai-2017/graph.json").json()
    ids = {n["data"]["id"] for n in data["nodes"]}
    assert {"xt-diana", "xt-diana-phone"} <= ids
    schemata = {n["data"]["schema"] for n in data["nodes"]}
    assert "Membership" not in schemata and "UnknownLink" not in schemata
    assert any(e["data"]["label"] == "tried to buy from" for e in data["edges"])
    only = analyst.get("/cases/xingtai-2017/graph.json?schema=Company").json()
    assert {n["data"]["schema"] for n in only["nodes"]} == {"Company"}


def test_expanding_a_node_leaves_out_what_the_user_may_not_see(client: TestClient) -> None:
    sign_in(client, "analyst")
    around = client.get("/cases/xingtai-2017/graph.json?around=xt-diana").json()
    ids = {n["data"]["id"] for n in around["nodes"]}
    assert "xt-diana-phone" in ids and "bob-informant" not in ids
    client.cookies.clear()
    sign_in(client, "boss")
    around = client.get("/cases/xingtai-2017/graph.json?around=xt-diana").json()
    assert "bob-informant" in {n["data"]["id"] for n in around["nodes"]}


def _case_reads(node: Node) -> int:
    with node.session() as session:
        query = select(func.count()).where(
            AuditEntry.action == "read", AuditEntry.object_id == "xingtai-2017"
        )
        return int(session.scalar(query.select_from(AuditEntry)) or 0)


def test_one_graph_page_view_is_one_audited_read(analyst: TestClient, web_node: Node) -> None:
    before = _case_reads(web_node)
    r = analyst.get("/cases/xingtai-2017/graph")
    assert r.status_code == 200 and "Company" in r.text  # schema filter choices are listed
    assert _case_reads(web_node) == before + 1


def test_graph_page_reads_without_javascript(analyst: TestClient) -> None:
    r = analyst.get("/cases/xingtai-2017/graph?around=xt-diana-phone")
    assert r.status_code == 200
    assert 'id="graph-data"' in r.text
    assert "/cases/xingtai-2017/graph?around=xt-diana" in r.text  # plain links expand too


def test_graph_json_without_session_is_401_json(client: TestClient) -> None:
    r = client.get("/cases/xingtai-2017/graph.json")
    assert r.status_code == 401 and r.json()["code"] == "web.sign_in_required"


def test_chemistry_classifies_a_pasted_smiles(analyst: TestClient) -> None:
    token = csrf_of(analyst.get("/chemistry").text)
    r = analyst.post("/chemistry", data={"structure": FENTANYL, "csrf_token": token})
    assert r.status_code == 200
    assert "United States" in r.text and "Controlled" in r.text
    assert "21 U.S.C. 812" in r.text
    assert 'src="data:image/svg+xml;base64,' in r.text


def test_chemistry_explains_a_structure_it_cannot_read(analyst: TestClient) -> None:
    token = csrf_of(analyst.get("/chemistry").text)
    r = analyst.post("/chemistry", data={"structure": "C1CC(", "csrf_token": token})
    assert r.status_code == 422
    assert 'role="alert"' in r.text


def test_chemistry_without_csrf_token_is_refused(analyst: TestClient) -> None:
    assert analyst.post("/chemistry", data={"structure": FENTANYL}).status_code == 403


def test_cooperation_shows_the_funnel(analyst: TestClient) -> None:
    r = analyst.get("/cooperation")
    assert r.status_code == 200
    assert 'data-stage="conviction"' in r.text and 'data-count="9"' in r.text


def test_unknown_page_is_an_html_404_and_unknown_api_path_stays_json(
    analyst: TestClient,
) -> None:
    assert analyst.get("/nowhere").headers["content-type"].startswith("text/html")
    assert analyst.get("/api/v1/nowhere").json()["code"] == "not_found"


def test_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/app.css").status_code == 200


def test_graph_page_sizes_nodes_by_pagerank_and_colours_them_by_group(analyst: TestClient) -> None:
    data = analyst.get("/cases/xingtai-2017/graph.json").json()
    nodes = [n["data"] for n in data["nodes"]]
    assert all(n["community"] >= 1 and n["colour"].startswith("#") for n in nodes)
    biggest = max(nodes, key=lambda n: n["pagerank"])
    assert biggest["size"] == 48.0 and min(n["size"] for n in nodes) < biggest["size"]
    page = analyst.get("/cases/xingtai-2017/graph").text
    assert 'id="legend"' in page and "Group 1 (" in page and "Colour: Leiden community" in page


def test_the_legend_colours_in_the_stylesheet_are_the_graph_colours() -> None:
    from jointprobe.web.pages import graph, static_dir

    css = (static_dir() / "app.css").read_text()
    found = dict(re.findall(r"\.swatch\.community-(\w+) \{ background: (#[0-9a-f]{6}); \}", css))
    assert [found[str(i + 1)] for i in range(len(graph.COMMUNITY_COLOURS))] == list(
        graph.COMMUNITY_COLOURS
    )
    assert found["other"] == graph.OTHER
