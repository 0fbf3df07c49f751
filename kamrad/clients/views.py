from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kamrad.clients.models import Organization
from kamrad.users import access
from kamrad.users.access import Rule, policy


@policy(read=Rule.SIGNED_IN)
def organization_list(request: HttpRequest) -> HttpResponse:
    orgs = access.organizations_visible_to(request.user).order_by("name", "id")[:50]
    return render(request, "clients/organization_list.html", {"organizations": orgs})


@policy(read=Rule.SIGNED_IN)
def organization_card(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.get_visible_or_404(Organization.objects.all(), request.user, "", pk=pk)
    return render(request, "clients/organization_card.html", {"organization": org})
