from decimal import Decimal

import pytest

from tests.shop.factories import ProductFactory, fund


@pytest.fixture
def product(user):
    """Alice sells 5 of these at 10.00 each."""
    return ProductFactory(seller=user, name="Teapot", price=Decimal("10.00"), stock=5)


@pytest.fixture
def buyer(other_user):
    """Bob, with 100.00 in his wallet."""
    fund(other_user, "100.00")
    return other_user
