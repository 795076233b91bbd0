from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

BROADCAST_CHANNEL = "notifications"


class Notification(models.Model):
    """One thing that happened, stored once: for one recipient, or (no recipient) for all."""

    class Kind(models.TextChoices):
        NEW_POST = "new_post", _("New post")
        COMMENT = "comment", _("Comment on my post")
        REACTION = "reaction", _("Reaction to my post")
        SALE = "sale", _("Sale of my product")
        ANNOUNCEMENT = "announcement", _("Announcement")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind, db_index=True)
    # None: a broadcast that everybody sees in their history, each with their own read state.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # The target is copied (title and link) so the history outlives a deleted post or product.
    target_title = models.CharField(_("target"), max_length=300, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    # Kind-specific details: the reaction's value, the quantity sold...
    data = models.JSONField(_("details"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    # The stream channel ("notifications" or "user-<id>") and the position in it: 1, 2, 3...
    # with no gaps, so Last-Event-ID resumes exactly and a GRIP proxy can tell, from
    # each event's previous id, that it missed none.
    channel = models.CharField(_("channel"), max_length=40, editable=False)
    seq = models.PositiveBigIntegerField(_("position in the channel"), editable=False)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # The history reads a recipient's notifications newest first.
            models.Index(fields=["recipient", "id"], name="notify_recipient_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["channel", "seq"], name="notify_channel_seq"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.target_title}"

    def get_absolute_url(self) -> str:
        return self.url or "/"

    @property
    def message(self) -> str:
        """The one-line text, in the active language (rendered when shown, not when stored)."""
        actor = self.actor.get_username() if self.actor else gettext("Someone")
        params = {"actor": actor, "title": self.target_title}
        match self.kind:
            case self.Kind.NEW_POST:
                return gettext("%(actor)s published “%(title)s”") % params
            case self.Kind.COMMENT:
                return gettext("%(actor)s commented on “%(title)s”") % params
            case self.Kind.REACTION if self.data.get("value") == "dislike":
                return gettext("%(actor)s disliked “%(title)s”") % params
            case self.Kind.REACTION:
                return gettext("%(actor)s liked “%(title)s”") % params
            case self.Kind.SALE:
                params["quantity"] = self.data.get("quantity", 1)
                return gettext("%(actor)s bought %(quantity)s × “%(title)s”") % params
            case _:
                return self.target_title

    @property
    def is_broadcast(self) -> bool:
        return self.recipient_id is None


class NotificationRead(models.Model):
    """That one user has read one notification."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="reads", verbose_name=_("notification")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_reads",
        verbose_name=_("user"),
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "notification"], name="notify_read_once")
        ]
        verbose_name = _("read mark")
        verbose_name_plural = _("read marks")

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notification_id}"


class ReadWatermark(models.Model):
    """Everything up to `up_to_id` is read: "mark all read" costs one row, however many."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_watermark",
        verbose_name=_("user"),
    )
    up_to_id = models.BigIntegerField(_("read up to"), default=0)

    class Meta:
        verbose_name = _("read watermark")
        verbose_name_plural = _("read watermarks")

    def __str__(self) -> str:
        return f"{self.user_id} read up to {self.up_to_id}"


def user_channel(user_id: int) -> str:
    return f"user-{user_id}"


def channel_for(recipient_id: int | None) -> str:
    return user_channel(recipient_id) if recipient_id else BROADCAST_CHANNEL
