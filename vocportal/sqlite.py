"""SQLite settings for many readers and one writer at a time."""

from sqlalchemy import Engine, event


def enable_sqlite_pragmas(engine: Engine) -> None:
    """Use WAL (readers never block the writer) and enforce foreign keys."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
