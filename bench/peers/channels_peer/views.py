"""The brief's `send_notification`: build the message, `group_send` it to everybody.

The message is the same as Agora's event (notify.services.event_payload of the newest
notification, both languages rendered), stamped `created` now, before it is built, as
Agora stamps it when the notification is stored. Nothing is written to the database: the
peer does less work than Agora per broadcast.
"""

import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from bench.peers.channels_peer.consumers import GROUP
from notify.models import Notification
from notify.services import event_payload


@csrf_exempt
@require_POST
def broadcast(request: HttpRequest) -> HttpResponse:
    created = timezone.now()
    notification = Notification.objects.select_related("actor").order_by("-id").first()
    payload = event_payload(notification)
    payload["created"] = created.isoformat()
    text = json.dumps(payload, cls=DjangoJSONEncoder)
    async_to_sync(get_channel_layer().group_send)(
        GROUP, {"type": "send_notification", "text": text}
    )
    return JsonResponse({"bytes": len(text)})
