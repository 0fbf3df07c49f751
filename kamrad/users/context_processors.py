from django.http import HttpRequest


def access(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "can_write": authenticated and user.can_write,
        "sees_all_clients": authenticated and user.sees_all_clients,
    }
