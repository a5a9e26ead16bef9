from collections.abc import Iterator
from pathlib import Path


def read_batch(path: Path) -> Iterator[tuple[int, str]]:
    raise NotImplementedError
