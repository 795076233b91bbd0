"""Live pages: what a reader is looking at follows the changes, on the stream they already have.

`blog` and `shop` signal their changes after commit (blog.signals, shop.signals); the
receivers here render what changed, server-side and escaped, and publish it as one `live`
event to the object's channel (`post-<id>`, `product-<id>`) and to its list's (`posts`,
`catalogue`): one publish per channel, read only by that channel's streams.

An event's data is JSON `{"channel": …, "html": {"en": …, "ru": …}}`: fragments, each with
an `id` and `data-live` saying what to do with it (`replace` the element with that id,
`append` it into `data-live-into` unless it is there already, `remove` it). Applying one
twice changes nothing, so the reader's own action (already on their page) is harmless.

A page takes part by reading its channel (`{% block stream_url %}{% live_stream_url "post"
post.pk %}{% endblock %}`, notify/templatetags/live.py) and by giving the parts that change an
id and `data-live`, as partials this module renders too (notify/templates/notify/live.html).
static/js/agora.js places the fragments, and on each stream-open fetches the page again for
them, unless the stream says nothing changed since the page was rendered.

Counts (reactions, comments, a product's stock and price) are coalesced per object: the
first change is published at once, the following ones at most once per
`NOTIFY_LIVE_COALESCE_MS` with the state as it is then (the trailing edge), so a flood of
reactions costs its readers a few events a second and the last state always arrives.
"""

import json
import logging
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import close_old_connections
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import translation

from blog.signals import (
    comment_changed,
    comment_created,
    comment_deleted,
    post_changed,
    post_deleted,
    reaction_changed,
)
from notify import eventstream
from notify.channels import CATALOGUE_CHANNEL, POSTS_CHANNEL, post_channel, product_channel
from notify.hub import hub
from notify.models import user_channel
from shop.signals import product_changed, product_purchased

logger = logging.getLogger(__name__)

EVENT_TYPE = "live"
READ_EVENT_TYPE = "notification-read"
TEMPLATE = "notify/live.html"


def publish(channels: list[str], html: dict[str, str], event_type: str = EVENT_TYPE) -> None:
    """One event per channel: this process's streams at once, then Redis and the GRIP proxy."""
    for channel in channels:
        data = eventstream.encode_data({"channel": channel, "html": html})
        hub.announce_live(channel, event_type, data)
        eventstream.publish_live_to_other_processes(channel, event_type, data)


def render(partial: str, context: dict[str, Any]) -> dict[str, str]:
    """The fragment in every language of the site (the reader's page picks its own)."""
    # Nobody's page in particular: no edit buttons, no CSRF token, no own reaction.
    context = {"user": AnonymousUser(), **context}
    html = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            # LANGUAGE_CODE as a page has it: the fragments' {% cache %} keys vary on it.
            page_context = {**context, "LANGUAGE_CODE": language}
            html[language] = render_to_string(f"{TEMPLATE}#{partial}", page_context).strip()
    return html


class Coalescer:
    """At most one run per key per interval: the first at once, then the last one waiting.

    `submit(key, run)` runs `run` now if the key has not run for `interval` seconds; else it
    keeps `run` (replacing an older one waiting) for the end of the interval, when a thread
    of its own runs it. `run` reads the state when it runs, so the last state is what goes out.
    """

    def __init__(self, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.interval = interval
        self.clock = clock
        self.windows: dict[Any, list] = {}  # key -> [end of its interval, run waiting or None]
        self.condition = threading.Condition()
        self.thread: threading.Thread | None = None

    def submit(self, key: Any, run: Callable[[], None]) -> None:
        with self.condition:
            now = self.clock()
            window = self.windows.get(key)
            if window is not None and window[0] > now:
                window[1] = run
                self._ensure_thread()
                self.condition.notify()
                return
            self.windows[key] = [now + self.interval, None]
        self._run(run)

    def _ensure_thread(self) -> None:
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(target=self._loop, name="agora-live", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        while True:
            with self.condition:
                due = self._take_due()
                while not due:
                    waits = [end for end, run in self.windows.values() if run is not None]
                    self.condition.wait(max(0.0, min(waits) - self.clock()) if waits else None)
                    due = self._take_due()
            for run in due:
                self._run(run)
            try:
                close_old_connections()
            except Exception:  # the database away: the next run connects again
                logger.debug("could not check the live thread's database connection")

    def _take_due(self) -> list[Callable[[], None]]:
        now = self.clock()
        due = []
        for key, window in list(self.windows.items()):
            if window[0] > now:
                continue
            if window[1] is None:
                del self.windows[key]  # a quiet interval: the next change goes out at once
            else:
                due.append(window[1])
                self.windows[key] = [now + self.interval, None]
        return due

    @staticmethod
    def _run(run: Callable[[], None]) -> None:
        try:
            run()
        except Exception:
            logger.exception("could not publish a live update")


coalescer = Coalescer(settings.NOTIFY_LIVE_COALESCE_SECONDS)


# -- the blog ---------------------------------------------------------------------------------


def _post_with_counts(pk: int):
    # The counts as the blog's pages compute them.
    from blog.selectors import post_list

    return post_list().filter(pk=pk).first()


def publish_post_counts(post_id: int) -> None:
    post = _post_with_counts(post_id)
    if post is not None:
        publish([post_channel(post_id), POSTS_CHANNEL], render("post-counts", {"post": post}))


def _counts_changed(post_id: int) -> None:
    coalescer.submit(("post", post_id), lambda: publish_post_counts(post_id))


@receiver(reaction_changed, dispatch_uid="live_reaction_changed")
def on_reaction_changed(*, post: Any, **kwargs: Any) -> None:
    _counts_changed(post.pk)


@receiver(comment_created, dispatch_uid="live_comment_created")
def on_comment_created(*, comment: Any, **kwargs: Any) -> None:
    publish([post_channel(comment.post_id)], render("comment", {"comment": comment}))
    _counts_changed(comment.post_id)


@receiver(comment_changed, dispatch_uid="live_comment_changed")
def on_comment_changed(*, comment: Any, **kwargs: Any) -> None:
    publish([post_channel(comment.post_id)], render("comment-text", {"comment": comment}))


@receiver(comment_deleted, dispatch_uid="live_comment_deleted")
def on_comment_deleted(*, comment_id: int, post_id: int, **kwargs: Any) -> None:
    publish([post_channel(post_id)], render("comment-deleted", {"comment_id": comment_id}))
    _counts_changed(post_id)


@receiver(post_changed, dispatch_uid="live_post_changed")
def on_post_changed(*, post: Any, **kwargs: Any) -> None:
    publish([post_channel(post.pk)], render("post-body", {"post": post}))


@receiver(post_deleted, dispatch_uid="live_post_deleted")
def on_post_deleted(*, post_id: int, **kwargs: Any) -> None:
    publish([post_channel(post_id), POSTS_CHANNEL], render("post-deleted", {"post_id": post_id}))


# -- the shop ---------------------------------------------------------------------------------


def publish_product(product_id: int) -> None:
    from shop.selectors import product_buyers, product_find

    # As anybody sees it: None once it is off sale or deleted.
    product = product_find(pk=product_id, user=None)
    buyers = product_buyers(product=product) if product is not None else None
    # What a page shows of a product nobody may buy now (its partials read these).
    unavailable = SimpleNamespace(pk=product_id, is_active=False, is_sold_out=True)
    html = render("product", {"product": product, "buyers": buyers, "unavailable": unavailable})
    publish([product_channel(product_id), CATALOGUE_CHANNEL], html)


@receiver(product_changed, dispatch_uid="live_product_changed")
def on_product_changed(*, product_id: int, **kwargs: Any) -> None:
    coalescer.submit(("product", product_id), lambda: publish_product(product_id))


@receiver(product_purchased, dispatch_uid="live_product_purchased")
def on_product_purchased(*, purchase: Any, **kwargs: Any) -> None:
    if purchase.product_id is not None:
        on_product_changed(product_id=purchase.product_id)


# -- the notification centre ------------------------------------------------------------------


def publish_read(user_id: int) -> None:
    """After commit: the user marked notifications read; their other pages follow."""
    channel = user_channel(user_id)
    data = json.dumps({"channel": channel})
    hub.announce_live(channel, READ_EVENT_TYPE, data)
    eventstream.publish_live_to_other_processes(channel, READ_EVENT_TYPE, data)
