"""Sessions kept in the database as Django keeps them (the same table and rows), read by a
prepared query: every signed-in request reads its session, and building that look-up with the
ORM each time cost more than the database took to answer it."""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from resettle.core.prepared import Param, Prepared

CURRENT_SESSION = Prepared(
    lambda: Session.objects.filter(
        session_key=Param("key", Session._meta.pk),
        expire_date__gt=Param("now", Session._meta.get_field("expire_date")),
    )
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = (
            CURRENT_SESSION(key=self.session_key, now=timezone.now()) if self.session_key else []
        )
        if not found:
            self._session_key = None
            return None
        return found[0]
