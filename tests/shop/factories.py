"""Factories for the shop's models."""

from decimal import Decimal

import factory

from shop.models import Category, Product, UserProfile
from tests.factories import UserFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    seller = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A fine thing."
    price = Decimal("10.00")
    stock = 5
    is_active = True


def fund(user, amount: str | Decimal) -> UserProfile:
    """Set a user's wallet to exactly `amount` (the profile exists from sign-up)."""
    UserProfile.objects.filter(user=user).update(balance=Decimal(amount))
    return UserProfile.objects.get(user=user)


def balance(user) -> Decimal:
    return UserProfile.objects.get(user=user).balance


def total_money() -> Decimal:
    """All the money in all wallets: buying moves it, never makes or loses it."""
    return sum(UserProfile.objects.values_list("balance", flat=True), Decimal("0"))
