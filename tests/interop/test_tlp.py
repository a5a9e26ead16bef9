from __future__ import annotations

import pytest
import stix2

from jointprobe.exchange.markings import Tlp
from jointprobe.interop.tlp import (
    TLP1_IDS,
    TLP2_IDS,
    misp_tags_tlp,
    stix_marking_tlp,
    strictest,
    tlp2_marking,
)


@pytest.mark.parametrize("tlp", list(Tlp))
def test_tlp2_marking_objects_read_back_and_parse_with_stix2(tlp: Tlp) -> None:
    marking = tlp2_marking(tlp)
    assert stix_marking_tlp(marking) is tlp
    assert stix2.parse(marking).name == f"TLP:{tlp.value}"


def test_stix2_librarys_tlp1_markings_are_read() -> None:
    for obj, tlp in ((stix2.TLP_WHITE, Tlp.CLEAR), (stix2.TLP_GREEN, Tlp.GREEN),
                     (stix2.TLP_AMBER, Tlp.AMBER), (stix2.TLP_RED, Tlp.RED)):  # fmt: skip
        assert TLP1_IDS[obj.id] is tlp
        assert stix_marking_tlp(dict(obj)) is tlp


def test_a_partners_own_tlp_marking_definition_is_read_by_what_it_says() -> None:
    mine = {"type": "marking-definition", "id": "marking-definition--x", "name": "TLP:AMBER+STRICT"}
    assert stix_marking_tlp(mine) is Tlp.AMBER_STRICT
    statement = {"type": "marking-definition", "id": "marking-definition--y",
                 "definition_type": "statement",
                 "definition": {"statement": "Copyright"}}  # fmt: skip
    assert stix_marking_tlp(statement) is None
    assert TLP2_IDS[Tlp.RED].endswith("e828b379-4e03-4974-9ac4-e53a884c97c1")


def test_misp_tags_the_strictest_wins_and_others_are_ignored() -> None:
    tags = [
        {"name": "tlp:green"},
        {"name": "TLP:AMBER+STRICT"},
        {"name": 'osint:source-type="blog"'},
    ]
    assert misp_tags_tlp(tags) is Tlp.AMBER_STRICT
    assert misp_tags_tlp([{"name": "tlp:white"}]) is Tlp.CLEAR
    assert misp_tags_tlp([{"name": "tlp:ex:chr"}]) is Tlp.RED
    assert misp_tags_tlp([{"name": "tlp:unknown-colour"}, "junk"]) is None
    assert misp_tags_tlp("not a list") is None
    assert strictest([]) is None
