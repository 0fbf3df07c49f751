import pytest

from kamrad.clients.models import BankAccount

URL = "/api/bank-accounts/"


@pytest.mark.django_db
class TestBankAccounts:
    def test_it_adds_an_account_and_shows_it_to_its_manager_only(
        self, as_user, alice, bob, alices_client
    ):
        response = as_user(alice).post(
            URL,
            {
                "organization": alices_client.pk,
                "bank_name": "Сбербанк",
                "account_number": "40702810000000000001",
            },
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["currency"] == "RUB"
        assert as_user(alice).get(URL).json()["count"] == 1
        assert as_user(bob).get(URL).json()["count"] == 0
        assert as_user(bob).get(f"{URL}{response.json()['id']}/").status_code == 404

    def test_it_answers_bad_input_with_field_errors(self, as_user, alice, bobs_client):
        response = as_user(alice).post(
            URL, {"organization": bobs_client.pk, "currency": "rubles"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"organization", "bank_name", "account_number", "currency"}

    def test_it_removes_an_account(self, as_user, alice, alices_client):
        account = BankAccount.objects.create(
            organization=alices_client, bank_name="B", account_number="1"
        )
        assert as_user(alice).delete(f"{URL}{account.pk}/").status_code == 204
        assert not BankAccount.objects.exists()

    def test_it_refuses_a_viewer(self, as_user, viewer, alices_client):
        account = BankAccount.objects.create(
            organization=alices_client, bank_name="B", account_number="1"
        )
        assert as_user(viewer).delete(f"{URL}{account.pk}/").status_code == 403
        response = as_user(viewer).post(
            URL,
            {"organization": alices_client.pk, "bank_name": "B", "account_number": "2"},
            format="json",
        )
        assert response.status_code == 403
        assert BankAccount.objects.count() == 1
