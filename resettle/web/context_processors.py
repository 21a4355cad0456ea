from django.conf import settings


def resettle(request):
    return {
        "actor": getattr(request, "actor", None),
        "demo_mode": settings.DEMO_MODE,
    }
