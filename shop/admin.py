from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from config.admin import ServiceAdmin, adopt
from shop import services
from shop.forms import PhotoForm, ProductForm
from shop.images import clean_image
from shop.models import Category, Product, ProductPhoto, Purchase, UserProfile


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


class ProductAdminForm(ProductForm):
    """The site's product form with the seller; a stale stock is a form error."""

    class Meta(ProductForm.Meta):
        fields = ["seller", *ProductForm.Meta.fields]

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        stock, seen = cleaned_data.get("stock"), cleaned_data.get("stock_seen")
        if self.instance.pk and stock is not None and seen is not None:
            # The admin validates inside the transaction it saves in, so the row this locks
            # stays as checked until services.product_update writes it.
            try:
                services.product_stock_check(product=self.instance, stock=stock, stock_seen=seen)
            except services.StockChanged as error:
                self.stock_changed(error)
        return cleaned_data


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    form = ProductAdminForm
    fields = [
        "seller",
        "name",
        "description",
        "price",
        "stock",
        "stock_seen",
        "category",
        "is_active",
    ]
    list_display = ["name", "seller", "category", "price", "stock", "is_active", "created"]
    list_filter = ["is_active", "category", "created"]
    list_select_related = ["seller", "category"]
    search_fields = ["name", "description", "seller__username"]
    autocomplete_fields = ["seller", "category"]
    date_hierarchy = "created"

    def get_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        # A new product has no stock to have seen (ProductForm drops the field).
        return list(self.fields) if obj else [f for f in self.fields if f != "stock_seen"]

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None) -> list[str]:
        # product_update never moves a product to another seller.
        return ["seller"] if obj else []

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ):
        if db_field.name == "seller":
            kwargs.update(required=False, help_text=_("Leave empty to sell it yourself."))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Product, form: ProductAdminForm, change: bool
    ) -> None:
        data = form.cleaned_data
        if change:
            changes = {
                name: data[name]
                for name in form.changed_data
                if name in services.PRODUCT_EDITABLE_FIELDS
            }
            # Always with the stock it is based on: unchanged, it keeps what sold meanwhile.
            changes.update(stock=data["stock"], stock_seen=data["stock_seen"])
            services.product_update(product=obj, user=request.user, **changes)
        else:
            product = services.product_create(
                seller=data["seller"] or request.user,
                **{name: data[name] for name in ProductForm.Meta.fields},
            )
            adopt(obj, product)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        services.product_delete(product=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        for product in queryset:
            services.product_delete(product=product, user=request.user)


class ProductPhotoAdminForm(forms.ModelForm):
    """A photo is checked as the site checks it, so a refusal is the form's error."""

    image = PhotoForm.base_fields["image"]

    class Meta:
        model = ProductPhoto
        fields = ["product", "image", "is_main"]

    def clean_image(self):
        image = self.cleaned_data["image"]
        try:
            clean_image(image)
        except ValidationError as error:
            raise ValidationError(error.message_dict["image"]) from None
        image.seek(0)
        return image


@admin.register(ProductPhoto)
class ProductPhotoAdmin(ServiceAdmin):
    """Photos are added, made main and removed through shop.services, never edited."""

    form = ProductPhotoAdminForm
    list_display = ["preview", "product", "is_main", "width", "height", "created"]
    list_select_related = ["product"]
    list_filter = ["is_main", "created"]
    search_fields = ["product__name", "product__seller__username"]
    autocomplete_fields = ["product"]
    actions = ["make_main"]

    @admin.display(description=_("photo"))
    def preview(self, photo: ProductPhoto) -> str:
        return format_html(
            '<img src="{}" width="120" height="90" alt="{}">', photo.thumbnail.url, photo.product
        )

    def get_fields(self, request: HttpRequest, obj: ProductPhoto | None = None) -> list[str]:
        if obj is None:
            return ["product", "image", "is_main"]
        return ["preview", "product", "image", "is_main", "width", "height", "created"]

    def get_readonly_fields(self, request: HttpRequest, obj: ProductPhoto | None = None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(
        self, request: HttpRequest, obj: ProductPhoto, form: ProductPhotoAdminForm, change: bool
    ) -> None:
        if change:
            return  # nothing of a stored photo is edited
        data = form.cleaned_data
        photo = services.product_photo_add(
            product=data["product"], user=request.user, image=data["image"], is_main=data["is_main"]
        )
        adopt(obj, photo)

    def delete_model(self, request: HttpRequest, obj: ProductPhoto) -> None:
        services.product_photo_delete(photo=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductPhoto]) -> None:
        for photo in queryset.select_related("product"):
            services.product_photo_delete(photo=photo, user=request.user)

    @admin.action(description=_("Make the selected photo its product's main one"))
    def make_main(self, request: HttpRequest, queryset: QuerySet[ProductPhoto]) -> None:
        for photo in queryset.select_related("product"):
            services.product_photo_set_main(photo=photo, user=request.user)
        messages.success(request, _("The main photos are changed."))


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    # The ledger: what was paid is history, so nobody adds, edits or deletes it here.
    list_display = ["created", "product_name", "buyer", "seller", "quantity", "unit_price", "total"]
    list_filter = ["created"]
    list_select_related = ["buyer", "seller"]
    search_fields = ["product_name", "buyer__username", "seller__username"]
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Purchase | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Purchase | None = None) -> bool:
        return False


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "balance"]
    list_select_related = ["user"]
    search_fields = ["user__username", "display_name"]
    readonly_fields = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Profiles come with their users.
        return False
