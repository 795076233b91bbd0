from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from config.api import api
from config.media import media
from config.sitemaps import SITEMAPS, robots_txt

admin.site.site_header = "Agora"
admin.site.site_title = "Agora admin"
# Staff sign in through the site's login, so its rate limits guard the admin too (allauth's
# documented way); the admin's own form counts no failures. Before admin.site.urls reads it.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("blog.urls")),
    path("shop/", include("shop.urls")),
    path("notifications/", include("notify.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("media/<path:name>", media, name="media"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
]
