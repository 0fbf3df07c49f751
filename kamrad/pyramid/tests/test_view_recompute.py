"""The recompute button: the head starts it, the page polls its progress; one at a time."""

import pytest
from django.test import Client

from kamrad.pyramid import services
from kamrad.pyramid.models import ClientValue, RecomputeRun
from kamrad.pyramid.tests.helpers import client as make_client
from kamrad.pyramid.tests.helpers import steady

pytestmark = pytest.mark.django_db


def test_the_head_recomputes_and_the_page_shows_the_result(client: Client, head, alice) -> None:
    steady(make_client("Alpha", alice), 100)
    client.force_login(head)
    response = client.post("/pyramid/recompute/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert ClientValue.objects.count() == 1
    assert "1 clients, 1 changed, 1 tier moves" in response.content.decode()
    run = RecomputeRun.objects.get()
    assert (run.status, run.started_by, run.done, run.total) == ("done", head, 1, 1)


def test_without_javascript_it_returns_to_the_page(client: Client, head) -> None:
    client.force_login(head)
    response = client.post("/pyramid/recompute/")
    assert response.status_code == 302 and response["Location"] == "/pyramid/"


def test_a_running_recompute_is_polled_and_a_second_is_refused(client: Client, head) -> None:
    running = services.recompute_start(user=head)
    RecomputeRun.objects.filter(pk=running.pk).update(done=3, total=12)
    client.force_login(head)
    progress = client.get("/pyramid/recompute/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in progress
    assert "Recomputing: 3 of 12." in progress and 'value="25"' in progress
    assert "Recompute now" not in progress
    client.post("/pyramid/recompute/", headers={"HX-Request": "true"})
    assert RecomputeRun.objects.count() == 1
    services.pyramid_recompute(user=head, run=running)
    finished = client.get("/pyramid/recompute/", headers={"HX-Request": "true"}).content.decode()
    assert "every 1s" not in finished and "Show the new figures" in finished


@pytest.mark.parametrize("persona", ["viewer", "alice"])
def test_only_the_head_may_recompute(client: Client, persona: str, request) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.post("/pyramid/recompute/").status_code == 403
    assert RecomputeRun.objects.count() == 0
