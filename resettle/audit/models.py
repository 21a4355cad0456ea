"""The audit trail: an append-only, keyed hash-chained record of who did what to which record.

Append-only three times over: the database refuses UPDATE, DELETE and TRUNCATE on the table
(triggers, migrations 0002 and 0003, with no switch to turn them off short of dropping them),
the model refuses to save a recorded event again or delete one, and the Django admin shows
events read-only. Tampering that gets past all three (someone with the database owner's rights)
is still detectable: each event's hash is an HMAC, under a key kept out of the database, of the
event and the previous event's hash in its chain, and signed checkpoints of each chain's latest
hash are kept outside the database, so `manage.py verify_audit` finds the first altered,
removed, reordered, renumbered or forged event, and events cut from the end.

Retention and erasure: the audit trail is exempt from erasure requests (it is the record that a
person's data was handled lawfully, and erasing it would hide who looked). It holds snapshots,
not foreign keys, so deleting a user, organisation or person never touches it. How long it is
kept is a retention decision for a later issue; removing old events will have to re-anchor each
chain (a new first event whose prev_hash is the last removed event's hash), not rewrite it.
"""

from django.db import models

from resettle.access.categories import Category
from resettle.accounts.models import Role
from resettle.audit.chain import GENESIS_HASH


class AuditAction(models.TextChoices):
    READ = "read", "Read"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Deleted"
    STATE_CHANGE = "state_change", "Changed state"
    BREAK_GLASS = "break_glass", "Break-glass"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"
    MFA = "mfa", "Two-factor sign-in"
    TOKEN_CREATED = "token_created", "API token created"
    TOKEN_REVOKED = "token_revoked", "API token revoked"
    EXPORT = "export", "Exported"
    CONSENT_CHANGE = "consent_change", "Consent changed"
    AGREEMENT_CHANGE = "agreement_change", "Sharing agreement changed"


def _label(choices: type[models.TextChoices], value: str) -> str:
    return choices(value).label if value in choices.values else value


class AuditEventImmutable(Exception):
    """Raised on any attempt to change or delete a recorded audit event through the model."""


class AuditEvent(models.Model):
    """One thing someone did. Its place is (chain, seq): the chain it was appended to and its
    position there, 1, 2, 3... with no gaps (resettle/audit/services.py says why several chains).
    The id is the database's storage key, in about the order events were written; it is not
    hashed and may have gaps.

    Who and for which organisation are snapshots (ids and names as they were), not foreign keys:
    the trail must outlive the users, organisations and people it mentions, unchanged.
    """

    id = models.BigAutoField(primary_key=True)
    chain = models.PositiveSmallIntegerField()
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    user_id = models.PositiveBigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    user_name = models.CharField(max_length=300, blank=True, help_text="Full name at the time.")
    organisation_id = models.UUIDField(null=True, blank=True)
    organisation_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=30, blank=True)
    action = models.CharField(max_length=30, choices=AuditAction.choices)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    person_id = models.UUIDField(null=True, blank=True)  # indexed with `at` below
    # A data category value (resettle.access.categories.Category), kept without `choices`: the
    # trail must keep categories that are later renamed or retired exactly as recorded.
    category = models.CharField(max_length=30, blank=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    route = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq"),
        ]
        indexes = [
            models.Index(fields=["person_id", "at"], name="audit_person_at"),
            models.Index(fields=["organisation_id", "at"], name="audit_organisation_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.username or 'anonymous'} {self.action} {self.object_type}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditEventImmutable("A recorded audit event cannot be changed.")
        if not self.hash:
            raise AuditEventImmutable(
                "Record audit events with resettle.audit.services.record_event, which chains them."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditEventImmutable("Audit events cannot be deleted.")

    @property
    def category_label(self) -> str:
        # A category since retired still shows, as it was recorded.
        return _label(Category, self.category)

    @property
    def role_label(self) -> str:
        return _label(Role, self.role)
