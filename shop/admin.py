from django.contrib import admin
from django.http import HttpRequest

from shop.models import Category, Product, Purchase, UserProfile


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "seller", "category", "price", "stock", "is_active", "created"]
    list_filter = ["is_active", "category", "created"]
    list_select_related = ["seller", "category"]
    search_fields = ["name", "description", "seller__username"]
    autocomplete_fields = ["seller", "category"]
    date_hierarchy = "created"


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
