"""Linkage engines: where Splink runs. DuckDB by default; Spark as the ``spark`` extra.

Each engine turns pandas frames into Splink tables for its backend and
hands back results as pandas. Spark is imported only when its engine is
built, so a node without pyspark never loads it.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import pandas as pd
from splink.internals.database_api import DatabaseAPI
from splink.internals.splink_dataframe import SplinkDataFrame

from jointprobe.errors import ConfigError


class LinkageEngine(ABC):
    """One Splink backend behind one interface."""

    name: ClassVar[str]
    dialect: ClassVar[str]

    @abstractmethod
    def db_api(self) -> DatabaseAPI[Any]: ...

    def register(self, api: DatabaseAPI[Any], frame: pd.DataFrame, label: str) -> SplinkDataFrame:
        return api.register(frame, dataset_display_name=label)

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release the backend's resources."""


class DuckDBEngine(LinkageEngine):
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.threads = threads
        self.memory_limit = memory_limit

    def db_api(self) -> DatabaseAPI[Any]:
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        if self.threads:
            con.execute(f"SET threads = {int(self.threads)}")
        if self.memory_limit:
            con.execute("SET memory_limit = ?", [self.memory_limit])
        return DuckDBAPI(connection=con)


class SparkEngine(LinkageEngine):
    name = "spark"
    dialect = "spark"

    def __init__(
        self,
        *,
        master: str = "local[*]",
        spark_session: Any = None,
        checkpoint_dir: str | None = None,
    ) -> None:
        try:
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location
        except ImportError as exc:
            raise ImportError(
                "the spark linkage engine needs pyspark: pip install 'jointprobe[spark]'"
            ) from exc
        self._session = spark_session or (
            SparkSession.builder.master(master)
            .appName("jointprobe-linkage")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.jars", similarity_jar_location())
            .getOrCreate()
        )
        if checkpoint_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="jointprobe-spark-")
            checkpoint_dir = self._tmp.name
        self._session.sparkContext.setCheckpointDir(checkpoint_dir)

    def db_api(self) -> DatabaseAPI[Any]:
        from splink import SparkAPI

        return SparkAPI(spark_session=self._session)  # type: ignore[no-untyped-call]

    def register(self, api: DatabaseAPI[Any], frame: pd.DataFrame, label: str) -> SplinkDataFrame:
        spark_frame = self._session.createDataFrame(frame)
        return api.register(spark_frame, dataset_display_name=label)

    def close(self) -> None:
        self._session.stop()


ENGINES: dict[str, type[LinkageEngine]] = {"duckdb": DuckDBEngine, "spark": SparkEngine}


def get_engine(name: str, **options: Any) -> LinkageEngine:
    """Build the engine registered under ``name``."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ConfigError(
            f"unknown linkage engine {name!r}; one of {', '.join(sorted(ENGINES))}"
        ) from None
    return factory(**options)
