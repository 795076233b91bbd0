from channels.generic.websocket import AsyncWebsocketConsumer

GROUP = "notifications"


class NotificationConsumer(AsyncWebsocketConsumer):
    """The brief's `ws/notifications/`: everybody in one group, each message sent as is."""

    async def connect(self) -> None:
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def send_notification(self, event: dict) -> None:
        await self.send(text_data=event["text"])
