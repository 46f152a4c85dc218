from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

INSTRUCTORS_GROUP = "Instructors"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        """Log in by email whatever its letter case."""
        return self.get(email__iexact=email)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        # Made at the server's console by its operator, who vouches for the address.
        extra_fields.setdefault("email_verified_at", timezone.now())
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A trainee, instructor or administrator, known by email address."""

    # unique=True keeps the exact-case index auth expects; the Lower() constraint below is the rule.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    full_name = models.CharField(
        _("full name"),
        max_length=150,
        help_text=_("Your name exactly as it should be printed on your completion records."),
    )
    job_title = models.CharField(
        _("job title"),
        max_length=150,
        blank=True,
        help_text=_("Optional; shown on completion records, e.g. “SMP practitioner”."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(
        _("email verified"),
        null=True,
        blank=True,
        help_text=_("When the holder opened the link sent to this address; records need it."),
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("An account with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(full_name=""), name="accounts_user_full_name_not_empty"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name

    @property
    def is_instructor(self) -> bool:
        """Instructors are staff in the Instructors group; superusers count as instructors too."""
        if not self.is_active or not self.is_staff:
            return False
        if self.is_superuser:
            return True
        cached = getattr(self, "_is_instructor", None)
        if cached is None:
            cached = self._is_instructor = self.groups.filter(name=INSTRUCTORS_GROUP).exists()
        return cached

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class Throttle(models.Model):
    """A token bucket shared by every worker: how many more tries one key has for now.

    The key names the limit and a hash of what is counted (an address, an email), so the table
    holds no addresses or emails and any input fits. See accounts/throttling.py for the limits.
    """

    key = models.CharField(max_length=100, unique=True)
    tokens = models.FloatField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("throttle")
        verbose_name_plural = _("throttles")

    def __str__(self):
        return self.key
