"""The bank's VIP rules (seed 002) as the default criteria: at least 3 of these 5."""

from django.db import migrations

from kamrad.qualification.defaults import CRITERIA, install


def create(apps, schema_editor):
    install(
        apps.get_model("qualification", "QualificationRule"),
        apps.get_model("qualification", "Criterion"),
        apps.get_model("qualification", "Measure"),
    )


def remove(apps, schema_editor):
    apps.get_model("qualification", "Criterion").objects.filter(
        code__in=[c["code"] for c in CRITERIA]
    ).delete()
    apps.get_model("qualification", "QualificationRule").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("qualification", "0001_criteria")]

    operations = [migrations.RunPython(create, remove)]
