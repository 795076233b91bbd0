from django.db import migrations, models


def number_existing(apps, schema_editor):
    """Give the notifications made so far their channel and gap-free positions, oldest first."""
    Notification = apps.get_model("notify", "Notification")
    counters: dict[str, int] = {}
    for notification in Notification.objects.order_by("id").only("id", "recipient_id"):
        channel = f"user-{notification.recipient_id}" if notification.recipient_id else "notifications"
        counters[channel] = counters.get(channel, 0) + 1
        Notification.objects.filter(pk=notification.pk).update(
            channel=channel, seq=counters[channel]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="channel",
            field=models.CharField(default="", editable=False, max_length=40, verbose_name="channel"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification",
            name="seq",
            field=models.PositiveBigIntegerField(
                default=0, editable=False, verbose_name="position in the channel"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(number_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(fields=("channel", "seq"), name="notify_channel_seq"),
        ),
    ]
