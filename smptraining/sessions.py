"""Django's database sessions, read by SQL written once (smptraining/rows.py says why).

Every signed-in request reads its session; the rest (saving, deleting, clearing) is Django's.
"""

from functools import cache

from django.contrib.sessions.backends import db
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

    def _get_session_from_db(self):
        """The unexpired session under this key, as Django's own store finds it. One query."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        row = fetch_one(self._load_sql(), [self.session_key, now])
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
