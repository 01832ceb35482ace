from django.http import JsonResponse

MARK = "v0"


def health(request):
    return JsonResponse({"status": "ok", "mark": MARK})
