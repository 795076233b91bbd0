from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    return render(request, "notify/notification_list.html")
