"""Install the default VIP questionnaire in English and Russian, published as version 1."""

from django.db import migrations

from kamrad.questionnaires import defaults


def install(apps, schema_editor):
    Template = apps.get_model("questionnaires", "Template")
    Section = apps.get_model("questionnaires", "Section")
    Question = apps.get_model("questionnaires", "Question")
    TemplateVersion = apps.get_model("questionnaires", "TemplateVersion")
    for language in ("en", "ru"):
        if Template.objects.filter(language=language).exists():
            continue
        structure = defaults.structure(language)
        template = Template.objects.create(
            name=structure["name"],
            language=language,
            description=defaults.DESCRIPTIONS[language],
            is_default=True,
        )
        for position, section in enumerate(structure["sections"]):
            row = Section.objects.create(
                template=template,
                position=position,
                title=section["title"],
                intro=section["intro"],
                purpose=section["purpose"],
                minutes=section["minutes"],
            )
            for index, q in enumerate(section["questions"]):
                Question.objects.create(
                    section=row,
                    position=index,
                    key=q["key"],
                    text=q["text"],
                    hint=q["hint"],
                    kind=q["kind"],
                    unit=q["unit"],
                    choices="\n".join(q["choices"]),
                    required=q["required"],
                )
        TemplateVersion.objects.create(template=template, number=1, structure=structure)


class Migration(migrations.Migration):
    dependencies = [("questionnaires", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
