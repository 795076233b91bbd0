from django.conf import settings
from django.db import migrations


def create_missing_profiles(apps, schema_editor):
    # Users created before the shop existed get the wallet new users get at sign-up.
    User = apps.get_model(settings.AUTH_USER_MODEL)
    UserProfile = apps.get_model("shop", "UserProfile")
    missing = User.objects.filter(profile__isnull=True).values_list("pk", flat=True)
    UserProfile.objects.bulk_create(UserProfile(user_id=pk) for pk in missing.iterator())


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(create_missing_profiles, migrations.RunPython.noop),
    ]
