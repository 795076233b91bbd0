"""The shop's HTML: thin views over shop.services (writes) and shop.selectors (reads)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from blog.selectors import post_list
from config import versions
from config.errors import Conflict
from config.views import (
    KeptPage,
    add_service_errors,
    is_fragment,
    keep_page,
    kept_page,
    login_redirect,
    login_required,
    paginate,
    shown_or_gone,
)
from shop import selectors, services
from shop.forms import BuyForm, PhotoForm, ProductFilterForm, ProductForm, ProfileForm
from shop.models import MAX_PHOTOS, Product, Purchase
from shop.templatetags.shop_tags import money

PER_PAGE = 12


@require_safe
@vary_on_headers("HX-Request")
def product_list(request: HttpRequest) -> HttpResponse:
    filter_form = ProductFilterForm(request.GET or None)
    filters = filter_form.filters() if request.GET else {}

    def read() -> KeptPage:
        products = selectors.product_list(**filters, user=request.user)
        return keep_page(paginate(request, products, PER_PAGE))

    # The page's rows and count, and the list as rendered, once per content version for this
    # reader (their own hidden products) and this address (docs/PERFORMANCE.md).
    version = versions.current()
    key = ("products", request.user.pk, sorted(request.GET.lists()))
    context = {
        "filter_form": filter_form,
        "page_obj": kept_page(versions.remember(key, read, version=version)),
        "hx_target": "#results",
        "results_key": version and (version, key, request.get_full_path()),
    }
    if not is_fragment(request):
        # The filter form's widgets are rendered once per version (docs/PERFORMANCE.md): the
        # values asked for and the categories offered are the cache key.
        categories = versions.remember(
            ("categories",),
            lambda: list(selectors.category_list().values_list("slug", "name")),
            version=version,
        )
        filter_form.offer_categories(categories)
        context["filter_key"] = (
            [(name, request.GET.getlist(name)) for name in filter_form.fields],
            categories,
        )
    template = (
        "shop/product_list.html#results" if is_fragment(request) else "shop/product_list.html"
    )
    return render(request, template, context)


def _buy_context(request: HttpRequest, product: Product | None, **extra) -> dict:
    context = {"product": product, "form": BuyForm(), "purchase": None, "error": ""}
    if request.user.is_authenticated:
        context["balance"] = selectors.balance_of(user=request.user)
    context.update(extra)
    return context


@require_safe
@vary_on_headers("HX-Request")
@shown_or_gone
def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(pk=pk, user=request.user)
    context = _buy_context(
        request,
        product,
        can_manage=product.can_be_managed_by(request.user),
        buyers=selectors.product_buyers(product=product),
    )
    template = (
        "shop/product_detail.html#buy" if is_fragment(request) else "shop/product_detail.html"
    )
    return render(request, template, context)


@require_POST
def product_buy(request: HttpRequest, pk: int) -> HttpResponse:
    product_url = reverse("shop:product-detail", kwargs={"pk": pk})
    if not request.user.is_authenticated:
        return login_redirect(request, product_url)

    form = BuyForm(request.POST)
    purchase: Purchase | None = None
    status = 200
    if form.is_valid():
        try:
            purchase = services.product_buy(
                product=pk, buyer=request.user, quantity=form.cleaned_data["quantity"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            status = 400
        except Conflict as exc:
            form.add_error(None, exc.message)
            status = 409
    else:
        status = 400
    product = selectors.product_find(pk=pk, user=request.user)

    if is_fragment(request):
        # htmx swaps only 2xx responses: a refusal is still a fragment worth showing.
        context = _buy_context(request, product, form=BuyForm() if purchase else form)
        context["purchase"] = purchase
        if purchase is not None and product is not None:
            context["buyers"] = selectors.product_buyers(product=product)
        return render(request, "shop/product_detail.html#buy", context)

    if purchase is not None:
        messages.success(
            request,
            _("You bought %(name)s (%(quantity)d) for %(total)s.")
            % {
                "quantity": purchase.quantity,
                "name": purchase.product_name,
                "total": money(purchase.total),
            },
        )
        return redirect(product_url)
    if product is None:
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect("shop:product-list")
    context = _buy_context(
        request,
        product,
        form=form,
        can_manage=product.can_be_managed_by(request.user),
        buyers=selectors.product_buyers(product=product),
    )
    return render(request, "shop/product_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(seller=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your product is on sale."))
            return redirect(product)
    status = 400 if form.errors else 200
    return render(request, "shop/product_form.html", {"form": form}, status=status)


def _managed_product(request: HttpRequest, pk: int) -> Product:
    product = selectors.product_get(pk=pk, user=request.user)
    if not product.can_be_managed_by(request.user):
        raise PermissionDenied(_("Only the seller can change this product."))
    return product


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_update(request: HttpRequest, pk: int) -> HttpResponse:
    product = _managed_product(request, pk)
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_update(product=product, user=request.user, **form.changes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        except services.StockChanged as exc:
            form.stock_changed(exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(product)
    status = 400 if form.errors else 200
    return render(
        request, "shop/product_form.html", {"form": form, "product": product}, status=status
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = _managed_product(request, pk)
    if request.method == "POST":
        services.product_delete(product=product, user=request.user)
        messages.success(request, _("“%(name)s” is deleted.") % {"name": product.name})
        return redirect("shop:product-list")
    return render(request, "shop/product_confirm_delete.html", {"product": product})


def _photos_page(
    request: HttpRequest, pk: int, *, form: PhotoForm | None = None, notice: str = ""
) -> HttpResponse:
    product = selectors.product_get(pk=pk, user=request.user)
    context = {
        "product": product,
        "photos": product.photos.all(),
        "photo_form": form or PhotoForm(),
        "max_photos": MAX_PHOTOS,
        "notice": notice,
    }
    if is_fragment(request):
        # htmx swaps only 2xx answers: a refused upload is still a fragment to show.
        return render(request, "shop/product_photos.html#photos", context)
    status = 400 if form is not None and form.errors else 200
    return render(request, "shop/product_photos.html", context, status=status)


def _photos_changed(request: HttpRequest, pk: int, notice: str) -> HttpResponse:
    if is_fragment(request):
        return _photos_page(request, pk, notice=notice)
    messages.success(request, notice)
    return redirect("shop:product-photos", pk=pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@vary_on_headers("HX-Request")
def product_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The seller's photos of a product: add one (also without JavaScript), see them all."""
    product = _managed_product(request, pk)
    if request.method != "POST":
        return _photos_page(request, pk)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.product_photo_add(
                product=product,
                user=request.user,
                image=form.cleaned_data["image"],
                is_main=form.cleaned_data["is_main"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            return _photos_changed(request, pk, _("The photo is added."))
    return _photos_page(request, pk, form=form)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def product_photo_main(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = selectors.photo_get(product=_managed_product(request, pk), pk=photo_pk)
    services.product_photo_set_main(photo=photo, user=request.user)
    return _photos_changed(request, pk, _("The main photo is changed."))


@login_required
@require_POST
@vary_on_headers("HX-Request")
def product_photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = selectors.photo_get(product=_managed_product(request, pk), pk=photo_pk)
    services.product_photo_delete(photo=photo, user=request.user)
    return _photos_changed(request, pk, _("The photo is removed."))


@login_required
@require_safe
def purchase_list(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.purchases_for(user=request.user), PER_PAGE)
    return render(request, "shop/purchase_list.html", {"page_obj": page_obj})


@login_required
@require_safe
def sale_list(request: HttpRequest) -> HttpResponse:
    context = {
        "page_obj": paginate(request, selectors.sales_for(user=request.user), PER_PAGE),
        "sales": True,
        "sales_total": selectors.sales_total(user=request.user),
    }
    return render(request, "shop/purchase_list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile_me(request: HttpRequest) -> HttpResponse:
    profile = services.profile_ensure(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("shop:profile-me")
    status = 400 if form.errors else 200
    return render(
        request, "shop/profile_form.html", {"form": form, "profile": profile}, status=status
    )


@require_safe
@vary_on_headers("HX-Request")
def profile_detail(request: HttpRequest, username: str) -> HttpResponse:
    profile = selectors.profile_get(username=username)
    products = selectors.product_list(seller=profile.user, user=request.user)
    context = {
        "profile": profile,
        "recent_posts": post_list(author=profile.user.get_username(), user=request.user)[:5],
        "page_obj": paginate(request, products, PER_PAGE),
        "is_me": request.user.pk == profile.user_id,
    }
    template = (
        "shop/profile_detail.html#products" if is_fragment(request) else "shop/profile_detail.html"
    )
    return render(request, template, context)
