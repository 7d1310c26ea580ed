"""The nav's "News" link, for staff who publish news (console/news_access.py)."""

from django import template

from imbizo.console.news_access import may_publish_news

register = template.Library()


@register.simple_tag(takes_context=True)
def news_link(context) -> bool:
    """Whether the signed-in staff member may open the news console (no query)."""
    request = getattr(context, "request", None) or context.get("request")
    actor = getattr(request, "console_actor", None)
    return actor is not None and may_publish_news(actor)
