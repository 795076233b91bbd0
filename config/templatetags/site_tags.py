"""Template helpers every app's pages use."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def absolute(context: template.Context, url: str) -> str:
    """`url` with this site's scheme and host, for what other sites read (link previews)."""
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None and url else url
