from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notify.models import Notification, NotificationRead, ReadWatermark
from notify.services import notification_create


class BroadcastFilter(admin.SimpleListFilter):
    title = _("audience")
    parameter_name = "audience"

    def lookups(self, request, model_admin):
        return [("all", _("Everybody (broadcast)")), ("personal", _("One recipient"))]

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset.filter(recipient__isnull=True)
        if self.value() == "personal":
            return queryset.filter(recipient__isnull=False)
        return queryset


class ReadStateFilter(admin.SimpleListFilter):
    """Read state of personal notifications (a broadcast has one per user)."""

    title = _("read by its recipient")
    parameter_name = "read"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        from django.db.models import Exists, F, OuterRef, Q

        read = Exists(
            NotificationRead.objects.filter(notification=OuterRef("pk"), user=OuterRef("recipient"))
        ) | Q(recipient__notification_watermark__up_to_id__gte=F("pk"))
        if self.value() == "yes":
            return queryset.filter(recipient__isnull=False).filter(read)
        if self.value() == "no":
            return queryset.filter(recipient__isnull=False).exclude(read)
        return queryset


class NotificationAdminForm(forms.ModelForm):
    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        recipient = cleaned_data.get("recipient")
        if recipient is not None and recipient == cleaned_data.get("actor"):
            # notification_create tells nobody of their own action.
            raise ValidationError(_("The recipient cannot be the actor."), code="own_action")
        return cleaned_data


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    form = NotificationAdminForm
    list_display = ["created", "kind", "recipient", "actor", "target_title", "read_marks"]
    list_filter = ["kind", BroadcastFilter, ReadStateFilter, "created"]
    search_fields = ["target_title", "recipient__username", "actor__username"]
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["recipient", "actor"]
    date_hierarchy = "created"
    readonly_fields = ["created"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).annotate(read_count=Count("reads"))

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        # Sent is sent: the stream has published it, and its channel and position follow
        # the recipient. An announcement is a new notification, which this admin adds.
        return obj is None and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Notification, form: forms.ModelForm, change: bool
    ) -> None:
        # Through the service: a place in its channel, and the live event once committed.
        data = form.cleaned_data
        notification = notification_create(
            kind=data["kind"],
            recipient=data["recipient"],
            actor=data["actor"],
            target_title=data["target_title"],
            url=data["url"],
            data=data["data"],
        )
        for field in Notification._meta.concrete_fields:
            setattr(obj, field.attname, getattr(notification, field.attname))
        obj._state.adding = False

    @admin.display(description=_("read marks"), ordering="read_count")
    def read_marks(self, obj: Notification) -> int:
        return obj.read_count


@admin.register(NotificationRead)
class NotificationReadAdmin(admin.ModelAdmin):
    list_display = ["notification", "user", "read_at"]
    list_select_related = ["notification", "user"]
    raw_id_fields = ["notification", "user"]


@admin.register(ReadWatermark)
class ReadWatermarkAdmin(admin.ModelAdmin):
    list_display = ["user", "up_to_id"]
    raw_id_fields = ["user"]
