"""News and broadcasts in the console: the municipality's items with what became of them
(queued, delivered, read), composing one (with who it would reach first), its page
(publish or send now, schedule, cancel), and interest groups.

Staff holding ``news.publish`` only (``news_access.news_view``); every write goes through
the news services as the staff member, which check the permission again and audit it.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from imbizo.core.errors import ImbizoError, NotFound
from imbizo.geo.selectors import point_in_first_ward
from imbizo.news.groups import interest_group_create
from imbizo.news.models import NewsItem
from imbizo.news.selectors import access_news, interest_groups, news_list, reads_counted
from imbizo.news.services import (
    news_cancel,
    news_compose,
    news_publish,
    news_reach,
    news_reach_preview,
    news_schedule,
    news_update,
)
from imbizo.notifications.news import news_delivery

from .news_access import news_view
from .news_forms import GroupForm, NewsForm, ScheduleForm
from .revenue_forms import error_to

LISTED = 50
Status = NewsItem.Status


@require_GET
@news_view
def news(request):
    desk = request.desk
    items = list(news_list(actor=desk.staff).filter(municipality=desk.municipality)
                 .select_related("group")[:LISTED])
    delivery, reads = news_delivery(items), reads_counted([i.pk for i in items])
    return render(request, "console/news/list.html", {
        "desk": desk, "group_form": GroupForm(),
        "groups": interest_groups(municipality_id=desk.municipality.pk),
        "rows": [(i, delivery.get(i.pk), reads.get(i.pk, 0)) for i in items],
    })


def _compose_page(request, form, item=None, preview=None):
    return render(request, "console/news/form.html", {
        "desk": request.desk, "form": form, "item": item, "preview": preview,
        "centre": point_in_first_ward(request.desk.municipality) or (-29.0, 25.0),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@news_view
def news_new(request):
    """POST ``preview``: who it would reach; POST otherwise: save the draft."""
    desk = request.desk
    form = NewsForm(request.POST or None, municipality=desk.municipality, auto_id="news-%s")
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            if "preview" in request.POST:
                preview = news_reach_preview(
                    actor=desk.staff, municipality=desk.municipality, target=data["target"],
                    wards=data["wards"], suburbs=data["suburbs"], zone=data["zone"],
                    group=data["group"])
            else:
                item = news_compose(actor=desk.staff, municipality=desk.municipality, **data)
                messages.success(request, _("Saved as a draft. Check who it reaches, then "
                                            "publish or schedule it."))
                return redirect(reverse("console:news_item", args=[item.pk]) + desk.query())
        except ImbizoError as error:
            error_to(form, error)
    return _compose_page(request, form, preview=preview)


def _item(request, pk: int) -> NewsItem:
    try:
        item = access_news(request.desk.staff, pk)
    except NotFound as error:
        raise Http404(error.message) from None
    if item.municipality_id != request.desk.municipality.pk:
        raise Http404(_("No such news item."))
    return item


@require_http_methods(["GET", "POST"])
@news_view
def news_edit(request, pk: int):
    desk, item = request.desk, _item(request, pk)
    if item.status not in (Status.DRAFT, Status.SCHEDULED):
        messages.error(request, _("This item has gone out and can no longer be changed."))
        return redirect(reverse("console:news_item", args=[item.pk]) + desk.query())
    form = NewsForm(request.POST or None, municipality=desk.municipality, auto_id="news-%s",
                    initial=NewsForm.initial_of(item))
    if request.method == "POST" and form.is_valid():
        try:
            news_update(actor=desk.staff, item=item, **form.data_for_service())
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("console:news_item", args=[item.pk]) + desk.query())
    return _compose_page(request, form, item=item)


@require_GET
@news_view
def news_item(request, pk: int):
    desk, item = request.desk, _item(request, pk)
    return render(request, "console/news/item.html", {
        "desk": desk, "item": item, "reach": news_reach(actor=desk.staff, item=item),
        "wards": [w.number for w in item.wards.order_by("number")],
        "delivery": news_delivery([item]).get(item.pk),
        "reads": reads_counted([item.pk]).get(item.pk, 0),
        "schedule_form": ScheduleForm(auto_id="schedule-%s"),
        "editable": item.status in (Status.DRAFT, Status.SCHEDULED),
    })


@require_POST
@news_view
def news_action(request, pk: int, action: str):
    """publish (now), schedule (``send_at``), cancel."""
    desk, item = request.desk, _item(request, pk)
    back = redirect(reverse("console:news_item", args=[item.pk]) + desk.query())
    try:
        if action == "publish":
            item, reach = news_publish(actor=desk.staff, item=item)
            messages.success(request, _("Published. A broadcast is being sent to %(n)s "
                                        "residents (after 07:00 in the quiet hours, unless "
                                        "urgent).") % {"n": reach.consenting}
                             if item.kind == NewsItem.Kind.BROADCAST else _("Published."))
        elif action == "schedule":
            form = ScheduleForm(request.POST, auto_id="schedule-%s")
            if not form.is_valid():
                raise ImbizoError("invalid_send_at", _("Give the date and time to send it."))
            news_schedule(actor=desk.staff, item=item, send_at=form.cleaned_data["send_at"])
            messages.success(request, _("Scheduled."))
        elif action == "cancel":
            news_cancel(actor=desk.staff, item=item)
            messages.success(request, _("Cancelled: nothing will be sent."))
        else:
            raise Http404(_("No such action."))
    except ImbizoError as error:
        messages.error(request, error.message)
    return back


@require_POST
@news_view
def group_new(request):
    desk = request.desk
    form = GroupForm(request.POST)
    if form.is_valid():
        try:
            interest_group_create(actor=desk.staff, municipality=desk.municipality,
                                  **form.cleaned_data)
            messages.success(request, _("Group created."))
        except ImbizoError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Name the group."))
    return redirect(reverse("console:news") + desk.query() + "#groups")
