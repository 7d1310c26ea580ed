"""The landing page: what this installation serves and where to go next."""

from django.shortcuts import render

from imbizo.geo.models import Municipality


def home(request):
    municipalities = Municipality.objects.filter(category__in=["A", "B"]).order_by("name")[:50]
    return render(request, "web/home.html", {"municipalities": municipalities})
