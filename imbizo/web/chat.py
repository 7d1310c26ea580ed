"""The web chat: the conversation engine's flows (report a fault, track, language...) in
the browser, for a signed-in resident. Without JavaScript each message is a form post
answered by a redirect (POST/redirect/GET); with it, ``static/web/chat.js`` posts the
same forms with fetch and polls ``/chat/log`` for replies.

A message is recorded as a webhook's would be, handled at once by the same engine call
as WhatsApp's task (the chat is interactive) and its replies delivered through the
outbox before the page is shown again."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from imbizo.conversations.services import inbound_handle
from imbizo.messaging.channels.webchat.selectors import webchat_history
from imbizo.messaging.channels.webchat.services import (
    webchat_deliver,
    webchat_photo_keep,
    webchat_photo_release,
    webchat_post,
)

from .chat_forms import ChatForm, new_client_id
from .pages import page
from .session import citizen_actor, request_citizen


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest) -> HttpResponse:
    citizen = request_citizen(request)
    if citizen is None:
        return HttpResponseRedirect(reverse("web:signin") + "?" + urlencode(
            {"next": request.path}))
    form = ChatForm(request.POST, request.FILES) if request.method == "POST" else None
    if form is not None and form.is_valid():
        _send(citizen, form.cleaned_data)
        if _wants_json(request):
            return JsonResponse({"ok": True})
        return HttpResponseRedirect(reverse("web:chat") + "#now")
    if form is not None and _wants_json(request):
        return JsonResponse({"ok": False, "errors": [e for errors in form.errors.values()
                                                     for e in errors]}, status=400)
    context = _live(request) | {"form": form, "cmid": new_client_id(),
                                "typed": form.data.get("text", "") if form else ""}
    return page(request, "web/chat.html", context, status=400 if form is not None else 200)


def _send(citizen, data: dict) -> None:
    photo = data.get("photo")
    media_id = webchat_photo_keep(photo.read()) if photo else ""
    inbound_id = webchat_post(citizen=citizen, client_id=data["cmid"], kind=data["kind"],
                              text=data.get("text") or "", latitude=data.get("lat"),
                              longitude=data.get("lon"), media_id=media_id)
    if inbound_id is not None:  # None: this form was posted before, and acted on then
        inbound_handle(inbound_id=inbound_id)
    if media_id:
        webchat_photo_release(media_id=media_id, inbound_id=inbound_id)
    webchat_deliver(citizen=citizen)


def _live(request: HttpRequest) -> dict:
    history = webchat_history(actor=citizen_actor(request))
    screen = history.screen
    return {"lines": history.lines, "version": history.version,
            "choices": screen.choices if screen else (),
            "expects": screen.expects if screen else "text"}


@require_GET
def chat_log(request: HttpRequest) -> HttpResponse:
    """The conversation and its options as an HTML fragment, for the script; 204 when
    nothing changed since the version it holds."""
    if request_citizen(request) is None:
        return HttpResponse(status=403)
    context = _live(request)
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    return page(request, "web/chat_live.html", context | {"cmid": new_client_id()})
