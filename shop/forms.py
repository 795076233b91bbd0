from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shop.models import (
    CENT,
    MAX_STOCK,
    MONEY_DIGITS,
    MONEY_PLACES,
    Category,
    Product,
    UserProfile,
)
from shop.selectors import DEFAULT_ORDERING
from shop.services import StockChanged

# Larger than any stock can be; keeps absurd numbers away from the database driver.
MAX_QUANTITY = 1_000_000


class ProductForm(forms.ModelForm):
    # The stock the seller saw when the edit form was drawn: shop.services.product_update
    # keeps the items sold meanwhile, and refuses a new number based on a stale one.
    stock_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=MAX_STOCK)

    class Meta:
        model = Product
        fields = ["name", "description", "price", "stock", "category", "is_active"]
        widgets = {
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
            "stock": forms.NumberInput(attrs={"min": "0", "max": str(MAX_STOCK)}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["stock_seen"].initial = self.instance.stock
        else:
            del self.fields["stock_seen"]

    def changes(self) -> dict[str, Any]:
        """The keyword arguments of services.product_update: the changed fields, and the
        stock with the stock it was based on (the service decides whether it is written)."""
        changes = {
            name: self.cleaned_data[name] for name in self.changed_data if name in self.Meta.fields
        }
        changes["stock"] = self.cleaned_data["stock"]
        changes["stock_seen"] = self.cleaned_data["stock_seen"]
        return changes

    def stock_changed(self, error: StockChanged) -> None:
        """Show a refused stock edit; redrawn, the form has seen the current stock."""
        self.add_error("stock", error.message)
        self.data = self.data.copy()
        self.data["stock_seen"] = str(error.stock)


class PhotoForm(forms.Form):
    # What it really is, Pillow decides (shop.images); `accept` only helps the file picker.
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("A JPEG, PNG or WebP image."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        error_messages={"required": _("Choose a photo to upload.")},
    )
    is_main = forms.BooleanField(label=_("Make it the main photo"), required=False)


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

    def offer_categories(self, categories: list[tuple[str, str]]) -> None:
        """Show these (slug, name) pairs, read once by the view, rather than query them again."""
        field = self.fields["category"]
        field.widget.choices = [("", field.empty_label), *categories]

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
