"""The JSON API: one ninja router per app, mounted here; docs at /api/docs."""

from ninja import NinjaAPI

from blog.api import router as blog_router
from notify.api import router as notify_router
from shop.api import router as shop_router

api = NinjaAPI(
    title="Agora API",
    version="1.0",
    description="Blog, shop and notifications of Agora. Reading is open; writing needs a session "
    "(browser, with CSRF) or an allauth headless session token (`X-Session-Token`).",
    urls_namespace="api",
)
api.add_router("", blog_router)
api.add_router("", shop_router)
api.add_router("", notify_router)
