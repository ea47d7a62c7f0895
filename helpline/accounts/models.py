"""People: users with one role each, teams, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    MERCHANT = "merchant", "Merchant user"
    AGENT = "agent", "Support agent"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    ENGINEER = "engineer", "Engineer"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)  # None → unusable password
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, role=Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in. Merchant users belong to exactly one merchant; staff to none."""

    username = None  # type: ignore[assignment]  # the e-mail address is the login
    email = models.EmailField("e-mail address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MERCHANT)
    merchant = models.ForeignKey(
        "merchants.Merchant", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    phone = models.CharField(max_length=32, blank=True)
    whatsapp = models.CharField(max_length=32, blank=True)
    time_zone = models.CharField(max_length=64, blank=True, help_text="Empty: the default zone")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = UserManager()  # type: ignore[misc,assignment]  # stubs type the base manager

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="user_merchant_iff_merchant_role",
                condition=(
                    Q(role="merchant", merchant__isnull=False)
                    | (~Q(role="merchant") & Q(merchant__isnull=True))
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams_led"
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    partner = models.BooleanField(
        default=False, help_text="A partner team rather than the core team"
    )

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    read_only = models.BooleanField(
        default=False, help_text="Reads only: any write with it is refused (403)"
    )

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class RequestKey(models.Model):
    """An ``Idempotency-Key`` a client sent with a creation (decision 0086): the request's
    fingerprint and the answer it got, so that a retry gets the same answer and creates
    nothing. Kept 24 hours."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="request_keys")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    status = models.PositiveSmallIntegerField()
    response = models.TextField(help_text="The answer's JSON, exactly as it was sent")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="request_key_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"
