from io import StringIO

import pytest
import yaml
from django.core.management import call_command


def test_the_schema_validates_without_warnings(tmp_path) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "/api/organizations/{id}/" in schema["paths"]
    update = schema["paths"]["/api/organizations/{id}/"]["patch"]
    assert {"400", "401", "403", "404", "409"} <= set(update["responses"])
    assert "delete" not in schema["paths"]["/api/organizations/{id}/"]


@pytest.mark.django_db
class TestSchemaAndDocs:
    def test_it_serves_the_schema_to_a_signed_in_user_only(self, client, alice) -> None:
        assert client.get("/api/schema/").status_code == 401
        client.force_login(alice)
        response = client.get("/api/schema/", {"format": "json"})
        assert response.status_code == 200
        assert response.json()["info"]["title"] == "Kamrad API"

    def test_it_sends_a_signed_out_browser_from_the_docs_to_sign_in(self, client) -> None:
        response = client.get("/api/docs/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

    def test_it_serves_swagger_ui_from_this_server_without_inline_script(
        self, client, alice
    ) -> None:
        client.force_login(alice)
        page = client.get("/api/docs/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "swagger-ui-bundle.js" in html
        assert "cdn" not in html.lower()
        assert "<script>" not in html.replace(" ", "")
        policy = page["Content-Security-Policy"]
        assert "style-src 'self' 'unsafe-inline'" in policy
        assert "script-src 'self';" in policy
        script = client.get("/api/docs/", {"script": ""})
        assert script.status_code == 200
        assert "SwaggerUIBundle" in script.content.decode()


def test_the_command_line_prints_the_schema() -> None:
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    assert '"/api/token/"' in out.getvalue()
