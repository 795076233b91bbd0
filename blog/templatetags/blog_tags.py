"""Template filters of the blog: safe Markdown, plain-text excerpts, permission checks."""

from functools import lru_cache
from html import unescape

import markdown as md
import nh3
from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from blog import services

register = template.Library()

# What Markdown produces, minus images (the CSP would block remote ones anyway). Only these
# attributes survive: no on*, no hx-*, no style, no id/class that could hook into the page.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["fenced_code", "tables", "sane_lists"]


# Rendering is the costliest part of a blog page (a few ms per post) and a post's text
# changes rarely: keep the latest results in memory, keyed by the text itself, so an edit
# is a new key and the sanitiser always made what is shown.
@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """Markdown to HTML that carries no script, event handler, htmx attribute or js: link."""
    html = md.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def excerpt(text: str, words: int = 40) -> str:
    """The post's text without markup, cut to `words` words; the template escapes it."""
    return _excerpt(text or "", words)


@lru_cache(maxsize=512)
def _excerpt(text: str, words: int) -> str:
    plain = unescape(nh3.clean(render_markdown(text), tags=set()))
    return Truncator(" ".join(plain.split())).words(words, truncate="…")


@register.filter
def edited_ago(post) -> str:
    """How long ago the post was edited ("3 minutes ago"), or "" if it never was."""
    return naturaltime(post.updated) if post.is_edited else ""


@register.filter
def changeable_by(obj, user) -> bool:
    return services.can_change(user=user, obj=obj)
