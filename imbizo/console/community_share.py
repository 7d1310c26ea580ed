"""Sharing in the console: the municipality's short link and the USSD code residents are
told to dial, and how often the link was opened and the text handed out (counts only)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from imbizo.community.share import share_code_for, share_code_set, share_link, share_text
from imbizo.core.errors import ImbizoError

from .community_access import community_view
from .community_forms import ShareForm
from .revenue_forms import error_to


@require_http_methods(["GET", "POST"])
@community_view(whole=True)
def share(request):
    community = request.community
    found = share_code_for(community.municipality)
    form = ShareForm(request.POST or None, auto_id="share-%s",
                     initial={"ussd_code": found.ussd_code, "code": found.code})
    if request.method == "POST" and form.is_valid():
        try:
            share_code_set(actor=community.staff, municipality=community.municipality,
                           **form.cleaned_data)
        except ImbizoError as error:
            error_to(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("console:community_share") + community.query())
    return render(request, "console/community/share.html", {
        "community": community, "share": found, "form": form, "link": share_link(found),
        "text": share_text(found, community.municipality),
    }, status=400 if form.errors else 200)
