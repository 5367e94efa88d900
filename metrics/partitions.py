"""PostgreSQL: observations are partitioned by release, one table per release.

A release's observations live in their own table, ``metrics_observation_r<release id>``,
attached to ``metrics_observation`` as a LIST partition. This makes the two heavy operations
cheap: a first import into a release fills an unindexed table and builds its key once, by
sorting (instead of inserting a million keys into a B-tree one at a time), and deleting a
release drops a table. Reads name the release, so PostgreSQL only looks at that table, whose
key leads with the geography (the profile pages read one place at a time).

Rows of a release with no table of its own (written by other means, such as tests that
create observations through the ORM) go to the default partition, whose key includes the
release. The key of a release table leaves the release out: within one table it never
changes, so it would only make the index larger.

SQLite keeps one plain table (see ``Observation``); nothing here runs there.
"""

from __future__ import annotations

from typing import Any

TABLE = "metrics_observation"
DEFAULT = "metrics_observation_default"
RELEASE_KEY = "geography_id, metric_id, subgroup_id, year"
DEFAULT_KEY = f"release_id, {RELEASE_KEY}"
BUILD_MEMORY = "256MB"  # maintenance_work_mem while a key is built: one sort in memory


def name(release_id: int) -> str:
    return f"{TABLE}_r{int(release_id)}"


def is_partitioned(cursor: Any) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c"
        " ON c.oid = p.partrelid WHERE c.relname = %s AND pg_table_is_visible(c.oid))",
        [TABLE],
    )
    return bool(cursor.fetchone()[0])


def exists(cursor: Any, release_id: int) -> bool:
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name(release_id)])
    return bool(cursor.fetchone()[0])


def release_has_rows(cursor: Any, release_id: int) -> bool:
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE release_id = %s)", [release_id])  # noqa: S608
    return bool(cursor.fetchone()[0])


def create_detached(cursor: Any, release_id: int) -> str:
    """A new empty table shaped like the observations, not yet attached and without a key."""
    table = name(release_id)
    cursor.execute(f"CREATE TABLE {table} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    return table


def attach(cursor: Any, release_id: int) -> None:
    """Build the table's key by sorting, then make it the release's partition.

    Attaching scans the table once to check that every row belongs to the release (and the
    default partition, empty in production, for rows that should move).
    """
    table = name(release_id)
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY ({RELEASE_KEY})")
    cursor.execute(
        f"ALTER TABLE {TABLE} ATTACH PARTITION {table} FOR VALUES IN ({int(release_id)})"
    )


def ensure(cursor: Any, release_id: int) -> None:
    """Give the release its own (empty) table if it has none and no rows elsewhere."""
    if not is_partitioned(cursor) or exists(cursor, release_id):
        return
    if release_has_rows(cursor, release_id):
        return  # its rows are in the default partition: they stay there
    create_detached(cursor, release_id)
    attach(cursor, release_id)


def drop(cursor: Any, release_id: int) -> None:
    if is_partitioned(cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {name(release_id)}")


def partition_existing(cursor: Any) -> None:
    """Turn the plain observation table into the partitioned one, keeping every row."""
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
    cursor.execute(f"ALTER INDEX IF EXISTS {TABLE}_pkey RENAME TO {TABLE}_plain_pkey")
    cursor.execute(
        f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY LIST (release_id)"
    )
    cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
    cursor.execute(
        f"ALTER TABLE {DEFAULT} ADD CONSTRAINT {DEFAULT}_pkey PRIMARY KEY ({DEFAULT_KEY})"
    )
    cursor.execute(f"SELECT DISTINCT release_id FROM {TABLE}_plain ORDER BY 1")  # noqa: S608
    for (release_id,) in cursor.fetchall():
        table = create_detached(cursor, release_id)
        cursor.execute(
            f"INSERT INTO {table} SELECT * FROM {TABLE}_plain WHERE release_id = %s",  # noqa: S608
            [release_id],
        )
        attach(cursor, release_id)
    cursor.execute(f"DROP TABLE {TABLE}_plain")


def unpartition(cursor: Any) -> None:
    """The reverse of ``partition_existing`` (for migrating backwards)."""
    cursor.execute(
        f"CREATE TABLE {TABLE}_plain (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    cursor.execute(f"INSERT INTO {TABLE}_plain SELECT * FROM {TABLE}")  # noqa: S608
    cursor.execute(f"DROP TABLE {TABLE} CASCADE")
    cursor.execute(f"ALTER TABLE {TABLE}_plain RENAME TO {TABLE}")
    cursor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY"
        " (release_id, year, geography_id, metric_id, subgroup_id)"
    )
