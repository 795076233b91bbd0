from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from notify.models import Notification, NotificationRead, ReadWatermark


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


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "recipient", "actor", "target_title", "read_marks"]
    list_filter = ["kind", BroadcastFilter, ReadStateFilter, "created"]
    search_fields = ["target_title", "recipient__username", "actor__username"]
    list_select_related = ["recipient", "actor"]
    raw_id_fields = ["recipient", "actor"]
    date_hierarchy = "created"
    readonly_fields = ["created"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notification]:
        return super().get_queryset(request).annotate(read_count=Count("reads"))

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
