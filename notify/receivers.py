"""Turns what `blog` and `shop` signal into notifications (connected in NotifyConfig.ready)."""

from typing import Any

from django.dispatch import receiver

from blog.signals import comment_created, post_published, reaction_changed
from notify.models import Notification
from notify.services import notification_create
from shop.signals import product_purchased


@receiver(post_published, dispatch_uid="notify_post_published")
def on_post_published(*, post: Any, **kwargs: Any) -> None:
    notification_create(
        kind=Notification.Kind.NEW_POST,
        recipient=None,
        actor=post.author,
        target_title=post.title,
        url=post.get_absolute_url(),
    )


@receiver(comment_created, dispatch_uid="notify_comment_created")
def on_comment_created(*, comment: Any, **kwargs: Any) -> None:
    notification_create(
        kind=Notification.Kind.COMMENT,
        recipient=comment.post.author,
        actor=comment.author,
        target_title=comment.post.title,
        url=comment.get_absolute_url(),
    )


@receiver(reaction_changed, dispatch_uid="notify_reaction_changed")
def on_reaction_changed(*, post: Any, user: Any, value: str | None, **kwargs: Any) -> None:
    if value is None:
        return  # taking a reaction back tells nobody anything
    notification_create(
        kind=Notification.Kind.REACTION,
        recipient=post.author,
        actor=user,
        target_title=post.title,
        url=post.get_absolute_url(),
        data={"value": str(value)},
    )


@receiver(product_purchased, dispatch_uid="notify_product_purchased")
def on_product_purchased(*, purchase: Any, **kwargs: Any) -> None:
    product = purchase.product
    notification_create(
        kind=Notification.Kind.SALE,
        recipient=purchase.seller,
        actor=purchase.buyer,
        target_title=purchase.product_name,
        url=product.get_absolute_url() if product else "",
        data={"quantity": purchase.quantity, "total": str(purchase.total)},
    )
