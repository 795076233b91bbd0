from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

from shop.models import CENT

register = template.Library()


@register.filter
def money(value: Decimal | int | str | None) -> str:
    """A price as the reader's locale writes it, to the cent: "$1,234.50", "1 234,50 $"."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    formatted = number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    # Translators: where the currency symbol goes around an amount of money.
    return pgettext("money", "$%(amount)s") % {"amount": formatted}
