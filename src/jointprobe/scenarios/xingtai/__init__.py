"""The Xingtai case: facts from the seed articles, fictional fill-ins seeded."""

from jointprobe.scenarios.xingtai.loader import CASE_ID, load_facts, load_xingtai

__all__ = ["CASE_ID", "load_facts", "load_xingtai"]
