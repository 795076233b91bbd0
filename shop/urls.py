from django.urls import path

from shop import views

app_name = "shop"
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_update, name="product-update"),
    path("products/<int:pk>/delete/", views.product_delete, name="product-delete"),
    path("products/<int:pk>/buy/", views.product_buy, name="product-buy"),
    path("products/<int:pk>/photos/", views.product_photos, name="product-photos"),
    path(
        "products/<int:pk>/photos/<int:photo_pk>/main/",
        views.product_photo_main,
        name="product-photo-main",
    ),
    path(
        "products/<int:pk>/photos/<int:photo_pk>/delete/",
        views.product_photo_delete,
        name="product-photo-delete",
    ),
    path("purchases/", views.purchase_list, name="purchase-list"),
    path("sales/", views.sale_list, name="sale-list"),
    path("profile/", views.profile_me, name="profile-me"),
    path("u/<str:username>/", views.profile_detail, name="profile-detail"),
]
