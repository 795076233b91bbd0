from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("blog.urls")),
    path("shop/", include("shop.urls")),
    path("notifications/", include("notify.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]

admin.site.site_header = "Agora"
admin.site.site_title = "Agora admin"
