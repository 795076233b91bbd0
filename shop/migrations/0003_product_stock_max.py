import django.core.validators
from django.db import migrations, models

MAX_STOCK = 2_147_483_647


def cap_stock(apps, schema_editor):
    # SQLite let the edit form store stocks up to 2**63 - 1; the constraint would refuse them.
    Product = apps.get_model("shop", "Product")
    Product.objects.filter(stock__gt=MAX_STOCK).update(stock=MAX_STOCK)


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0002_create_missing_profiles"),
    ]

    operations = [
        migrations.RunPython(cap_stock, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="product",
            name="stock",
            field=models.PositiveIntegerField(
                default=1,
                validators=[django.core.validators.MaxValueValidator(MAX_STOCK)],
                verbose_name="stock",
            ),
        ),
        migrations.AddConstraint(
            model_name="product",
            constraint=models.CheckConstraint(
                condition=models.Q(("stock__lte", MAX_STOCK)), name="shop_product_stock_max"
            ),
        ),
    ]
