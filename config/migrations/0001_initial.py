from django.db import migrations, models


def create_the_row(apps, schema_editor):
    apps.get_model("config", "ContentVersion").objects.using(schema_editor.connection.alias).create(
        pk=1
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_the_row, migrations.RunPython.noop),
    ]
