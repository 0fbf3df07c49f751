"""Install the default VIP questionnaire in English and Russian, published as version 1."""

from django.db import migrations

from kamrad.questionnaires import defaults


def install(apps, schema_editor):
    defaults.install_with(
        apps.get_model("questionnaires", "Template"),
        apps.get_model("questionnaires", "Section"),
        apps.get_model("questionnaires", "Question"),
        apps.get_model("questionnaires", "TemplateVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
