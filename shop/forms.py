from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import CENT, MONEY_DIGITS, MONEY_PLACES, Category, Product, UserProfile
from shop.selectors import DEFAULT_ORDERING

# Larger than any stock can be; keeps absurd numbers away from the database driver.
MAX_QUANTITY = 1_000_000


class ProductForm(forms.ModelForm):
    # The stock the seller saw when the edit form was drawn. Purchases may lower the stock
    # while the seller types; an unchanged number must not put the sold items back.
    stock_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Product
        fields = ["name", "description", "price", "stock", "category", "is_active"]
        widgets = {"price": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stock_now = self.instance.stock
        if self.instance.pk:
            self.fields["stock_seen"].initial = self.stock_now
        else:
            del self.fields["stock_seen"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        seen = cleaned.get("stock_seen")
        stock = cleaned.get("stock")
        if seen is not None and stock is not None and stock != seen and seen != self.stock_now:
            self.add_error(
                "stock",
                _(
                    "Someone bought this product while you were editing: the stock is now "
                    "%(stock)d. Check the number and save again."
                )
                % {"stock": self.stock_now},
            )
            # Redrawn, the form has seen the current stock: saving again is a decision.
            self.data = self.data.copy()
            self.data["stock_seen"] = str(self.stock_now)
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The product fields the seller changed, for services.product_update."""
        changes = {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields
        }
        if self.cleaned_data.get("stock") == self.cleaned_data.get("stock_seen"):
            changes.pop("stock", None)
        return changes


class ProfileForm(forms.ModelForm):
    class Meta:
        model = UserProfile
        fields = ["display_name", "bio"]


class BuyForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        error_messages={
            "required": _("Enter how many you want."),
            "invalid": _("Enter a whole number."),
            "min_value": _("Buy at least one."),
        },
    )


class ProductFilterForm(forms.Form):
    ORDERING_CHOICES = [
        ("new", _("Newest")),
        ("old", _("Oldest")),
        ("price", _("Price: low to high")),
        ("-price", _("Price: high to low")),
        ("name", _("Name")),
        ("popular", _("Best selling")),
    ]

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All categories"),
    )
    min_price = forms.DecimalField(
        label=_("Min price"),
        required=False,
        min_value=0,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=forms.NumberInput(attrs={"step": str(CENT), "min": "0"}),
    )
    max_price = forms.DecimalField(
        label=_("Max price"),
        required=False,
        min_value=0,
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        widget=forms.NumberInput(attrs={"step": str(CENT), "min": "0"}),
    )
    in_stock = forms.BooleanField(label=_("In stock only"), required=False)
    ordering = forms.ChoiceField(
        label=_("Sort by"), choices=ORDERING_CHOICES, required=False, initial=DEFAULT_ORDERING
    )

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; a malformed value is ignored, not an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return {
            "q": data.get("q", ""),
            "category": data.get("category"),
            "min_price": data.get("min_price"),
            "max_price": data.get("max_price"),
            "in_stock": data.get("in_stock", False),
            "ordering": data.get("ordering", DEFAULT_ORDERING),
        }
