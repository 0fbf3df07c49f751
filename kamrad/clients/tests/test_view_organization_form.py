import pytest
from django.urls import reverse

from kamrad.clients import services
from kamrad.clients.models import Organization

pytestmark = pytest.mark.django_db

CREATE = reverse("clients:create")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def edit_url(org) -> str:
    return reverse("clients:edit", args=[org.pk])


def form_data(org: Organization, **changes) -> dict:
    data = {
        "name": org.name,
        "kind": org.kind,
        "tax_number": org.tax_number,
        "version": org.version,
    }
    data.update(changes)
    return data


def test_it_creates_an_organization_as_the_managers_own(client, alice, bob):
    client.force_login(alice)
    response = client.post(
        CREATE, {"name": "Вектор", "kind": "prospect", "account_manager": bob.pk, "owner": bob.pk}
    )
    org = Organization.objects.get(name="Вектор")
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:card", args=[org.pk])
    assert (org.account_manager, org.owner, org.kind) == (alice, alice, "prospect")


def test_it_does_not_offer_an_account_manager_the_choice_of_manager(client, alice):
    client.force_login(alice)
    response = client.get(CREATE)
    assert 'name="account_manager"' not in response.text
    assert 'name="owner"' not in response.text


def test_it_lets_the_head_assign_the_account_manager(client, head, bob):
    client.force_login(head)
    assert 'name="account_manager"' in client.get(CREATE).text
    client.post(CREATE, {"name": "Гранит", "kind": "client", "account_manager": bob.pk})
    assert Organization.objects.get(name="Гранит").account_manager == bob


def test_it_shows_field_errors_and_saves_nothing(client, alice):
    client.force_login(alice)
    response = client.post(CREATE, {"name": "", "kind": "nonsense", "website": "not a url"})
    assert response.status_code == 200
    assert response.text.count('class="error"') == 3
    assert Organization.objects.count() == 0


def test_it_refuses_a_viewer_the_form_and_the_post(client, viewer, alices_client):
    client.force_login(viewer)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, {"name": "X", "kind": "client"}).status_code == 403
    response = client.post(edit_url(alices_client), form_data(alices_client, name="Hacked"))
    assert response.status_code == 403
    alices_client.refresh_from_db()
    assert alices_client.name == "ООО Ромашка"


def test_it_hides_another_managers_client_from_the_edit_form(client, alice, bobs_client):
    client.force_login(alice)
    assert client.get(edit_url(bobs_client)).status_code == 404
    assert client.post(edit_url(bobs_client), form_data(bobs_client)).status_code == 404


def test_it_saves_an_edit_and_keeps_the_manager_of_a_managers_client(
    client, alice, bob, alices_client
):
    client.force_login(alice)
    response = client.post(
        edit_url(alices_client), form_data(alices_client, name="Ромашка+", account_manager=bob.pk)
    )
    assert response.status_code == 302
    alices_client.refresh_from_db()
    assert (alices_client.name, alices_client.account_manager, alices_client.version) == (
        "Ромашка+",
        alice,
        2,
    )


def test_it_refuses_a_stale_edit_with_409_keeps_the_input_and_saves_nothing(
    client, alice, head, alices_client
):
    read_version = alices_client.version
    services.organization_update(
        user=head,
        organization=alices_client,
        data={"legal_name": "ООО «Ромашка» (новое)"},
        expected_version=read_version,
    )
    client.force_login(alice)
    response = client.post(
        edit_url(alices_client), form_data(alices_client, name="Моя Ромашка", version=read_version)
    )
    assert response.status_code == 409
    assert "Someone else saved this record" in response.text
    assert 'value="Моя Ромашка"' in response.text
    assert "ООО «Ромашка» (новое)" in response.text  # what they saved, shown by the field
    alices_client.refresh_from_db()
    assert alices_client.name == "ООО Ромашка"
    assert alices_client.version == read_version + 1


def test_it_notes_only_what_the_other_person_changed(client, alice, head, alices_client):
    read_version = alices_client.version
    services.organization_update(
        user=head,
        organization=alices_client,
        data={"legal_name": "ООО «Ромашка» (новое)"},
        expected_version=read_version,
    )
    client.force_login(alice)
    response = client.post(
        edit_url(alices_client), form_data(alices_client, name="Моя Ромашка", version=read_version)
    )
    notes = response.context["differences"]
    assert [value for _label, value in notes] == ["ООО «Ромашка» (новое)"]


def test_it_lists_similar_names_with_links_only_to_visible_cards(
    client, alice, alices_client, bobs_client
):
    services.organization_create(user=bobs_client.account_manager, data={"name": "Ромашка-Юг"})
    client.force_login(alice)
    response = client.get(reverse("clients:duplicates"), {"name": "ООО «Ромашка»"})
    assert response.status_code == 200
    assert "Ромашка-Юг" in response.text
    assert reverse("clients:card", args=[alices_client.pk]) in response.text
    assert response.text.count("<a ") == 1
    by_tax = client.get(reverse("clients:duplicates"), {"name": "", "tax_number": "7702000002"})
    assert "Acme Widgets Ltd" in by_tax.text


def test_it_lists_nothing_similar_for_an_empty_name(client, alice, alices_client):
    client.force_login(alice)
    response = client.get(reverse("clients:duplicates"), {"name": "ООО"})
    assert "<li>" not in response.text


def test_it_lets_the_user_keep_their_version_by_saving_the_refused_form_again(
    client, alice, head, alices_client
):
    read_version = alices_client.version
    services.organization_update(
        user=head, organization=alices_client, data={"notes": "их"}, expected_version=read_version
    )
    client.force_login(alice)
    refused = client.post(
        edit_url(alices_client), form_data(alices_client, notes="мои", version=read_version)
    )
    assert f'name="version" value="{read_version + 1}"' in refused.text
    again = client.post(
        edit_url(alices_client), form_data(alices_client, notes="мои", version=read_version + 1)
    )
    assert again.status_code == 302
    alices_client.refresh_from_db()
    assert alices_client.notes == "мои"


def test_it_names_the_saved_organization_not_the_refused_input_above_the_form(
    client, alice, alices_client
):
    client.force_login(alice)
    response = client.post(
        edit_url(alices_client), form_data(alices_client, name="Ромашка 2", kind="no-such-kind")
    )
    assert response.status_code == 200
    assert 'value="Ромашка 2"' in response.text  # the input stays in the field
    assert "← ООО Ромашка</a>" in response.text
    assert "<title>Edit ООО Ромашка · Kamrad</title>" in response.text
    assert "← Ромашка 2" not in response.text


def test_it_keeps_warning_about_similar_names_when_the_form_has_errors(
    client, alice, alices_client
):
    client.force_login(alice)
    response = client.post(
        reverse("clients:create"), {"name": "Ромашка", "kind": "client", "website": "not a url"}
    )
    assert response.status_code == 200
    assert "website" in response.context["form"].errors
    assert alices_client.name in response.text
    assert 'class="duplicates"' in response.text
