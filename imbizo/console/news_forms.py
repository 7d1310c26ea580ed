"""The news console's forms. Typed values are checked by the news services (one place
for the rules) and kept, with the service's reason on its field, when it refuses them."""

import json

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imbizo.geo.models import Municipality, Ward
from imbizo.news.models import VERSION_LANGUAGES, InterestGroup, NewsItem

LANGUAGE_NAMES = dict(settings.LANGUAGES)
PARTS = (("title", _("Title")), ("body", _("Text")), ("short", _("Short text (SMS, USSD)")))


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=500,
                            help_text=_("At most 120 characters."))
    body = forms.CharField(label=_("Text"), max_length=10_000, widget=forms.Textarea(
        attrs={"rows": 8}))
    short = forms.CharField(label=_("Short text (SMS, USSD)"), max_length=500,
                            help_text=_("One SMS: at most 160 characters."),
                            widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("What it is"), choices=NewsItem.Kind.choices,
                             initial=NewsItem.Kind.NEWS, widget=forms.RadioSelect)
    urgent = forms.BooleanField(label=_("Urgent: an emergency, sent even in the quiet hours "
                                        "(20:00 to 07:00)"), required=False)
    target = forms.ChoiceField(label=_("Who it is for"), choices=NewsItem.Target.choices,
                               initial=NewsItem.Target.MUNICIPALITY, widget=forms.RadioSelect)
    wards = forms.MultipleChoiceField(label=_("Wards"), required=False,
                                      widget=forms.SelectMultiple(attrs={"size": 8}))
    suburbs = forms.MultipleChoiceField(label=_("Suburbs"), required=False,
                                        widget=forms.SelectMultiple(attrs={"size": 8}))
    zone = forms.CharField(label=_("Zone (GeoJSON polygon)"), required=False, max_length=200_000,
                           help_text=_("Draw it on the map, or paste a GeoJSON polygon in "
                                       "longitude and latitude. It reaches the residents of "
                                       "every ward it overlaps."),
                           widget=forms.Textarea(attrs={"rows": 4, "class": "zone"}))
    group = forms.ChoiceField(label=_("Interest group"), required=False)

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        wards = list(Ward.objects.filter(municipality=municipality).order_by("number")
                     .values_list("number", "suburbs"))
        self.fields["wards"].choices = [(str(n), _("Ward %(n)s") % {"n": n}) for n, _s in wards]
        suburbs = sorted({s.strip() for _n, text in wards for s in text.splitlines()
                          if s.strip()}, key=str.casefold)
        self.fields["suburbs"].choices = [(s, s) for s in suburbs]
        self.fields["group"].choices = [("", "-")] + [
            (str(g.pk), g.name) for g in InterestGroup.objects.filter(
                municipality=municipality, active=True).order_by("name")]
        for language in VERSION_LANGUAGES:
            for part, label in PARTS:
                self.fields[f"{part}_{language}"] = forms.CharField(
                    label=f"{label} ({LANGUAGE_NAMES.get(language, language)})",
                    required=False, max_length=10_000 if part == "body" else 500,
                    widget=forms.Textarea(attrs={"rows": 4 if part == "body" else 2}))

    def versions(self) -> list[tuple[str, list]]:
        """(language name, its bound fields), for the template."""
        return [(LANGUAGE_NAMES.get(lang, lang), [self[f"{part}_{lang}"] for part, _l in PARTS])
                for lang in VERSION_LANGUAGES]

    def main_fields(self) -> list:
        return [self[name] for name in ("title", "body", "short", "kind", "urgent")]

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"], "body": data["body"], "short": data["short"],
            "kind": data["kind"], "urgent": data["urgent"], "target": data["target"],
            "wards": data["wards"], "suburbs": data["suburbs"], "zone": data["zone"] or None,
            "group": data["group"] or None,
            "translations": {lang: {part: data[f"{part}_{lang}"] for part, _l in PARTS}
                             for lang in VERSION_LANGUAGES},
        }

    @staticmethod
    def initial_of(item: NewsItem) -> dict:
        found = {"title": item.title, "body": item.body, "short": item.short,
                 "kind": item.kind, "urgent": item.urgent, "target": item.target,
                 "wards": [str(w.number) for w in item.wards.all()]
                 if item.target == NewsItem.Target.WARDS else [],
                 "suburbs": item.suburbs, "zone": json.dumps(item.zone) if item.zone else "",
                 "group": str(item.group_id or "")}
        for lang, parts in item.translations.items():
            found |= {f"{part}_{lang}": text for part, text in parts.items()}
        return found


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send at"), input_formats=["%Y-%m-%dT%H:%M",
                                                                     "%Y-%m-%d %H:%M"],
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("What it is about"), max_length=1000, required=False)
