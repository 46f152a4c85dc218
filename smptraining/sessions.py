"""Django's database sessions, read by SQL written once (smptraining/rows.py says why).

Every signed-in request reads its session; the rest (saving, deleting, clearing) is Django's.
"""

from functools import cache, lru_cache

from django.contrib.sessions.backends import db
from django.core.signals import setting_changed
from django.db import connection
from django.utils import timezone

from .rows import column, fetch_one, table


class SessionStore(db.SessionStore):
    @classmethod
    @cache
    def _load_sql(cls) -> str:
        session = cls.get_model_class()
        return (
            f"SELECT {column(session, 's', 'session_data')} FROM {table(session, 's')}"
            f" WHERE {column(session, 's', 'session_key')} = %s"
            f" AND {column(session, 's', 'expire_date')} > %s"
        )

    def _session_data(self) -> str | None:
        """The unexpired session's data under this key, as Django's own store finds it. One
        query."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        row = fetch_one(self._load_sql(), [self.session_key, now])
        if row is None:
            self._session_key = None
            return None
        return row[0]

    def load(self):
        data = self._session_data()
        return {} if data is None else self.decode(data)

    def decode(self, session_data):
        """Django's decoding, kept per worker for the sessions it saw last: a trainee's pages
        decode the same signed data on every request, and checking the signature costs more
        than reading the row. Each request gets its own copy to change."""
        try:
            return _copy(self._decoded(session_data))
        except _NotKept:
            return {}

    @classmethod
    @lru_cache(maxsize=1024)
    def _decoded(cls, session_data: str) -> dict:
        decoded = super().decode(cls(), session_data)
        if not decoded:  # empty, or unreadable (Django logged it): decoded again next time
            raise _NotKept
        return decoded


class _NotKept(Exception):
    pass


def _forget_on_new_key(*, setting, **kwargs):
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSION_SERIALIZER"):  # tests only
        SessionStore._decoded.cache_clear()


setting_changed.connect(_forget_on_new_key)


def _copy(value):
    """A copy of decoded JSON, nested lists and dicts too, should a page change one in place."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value
