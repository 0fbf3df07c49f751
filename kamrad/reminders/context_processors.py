from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _count(request: HttpRequest) -> int:
    from kamrad.reminders import engine

    if not hasattr(request, "_reminders_due"):
        request._reminders_due = engine.due_count(request.user)
    return request._reminders_due


def reminders(request: HttpRequest) -> dict[str, object]:
    """The badge: how many of the user's reminders are due today or overdue (counted once a
    request, only when a page shows it)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return {"reminders_due": 0}
    return {"reminders_due": SimpleLazyObject(lambda: _count(request))}
