import pytest

from kamrad.questionnaires import defaults


@pytest.fixture(autouse=True)
def _default_questionnaire(db):
    defaults.install()  # gone if a test before flushed the database
