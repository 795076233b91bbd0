"""What the shop tells the rest of the project; sent by shop.services after commit."""

from django.dispatch import Signal

# kwargs: purchase
product_purchased = Signal()
# kwargs: product_id (its price, stock, sale or existence changed)
product_changed = Signal()
