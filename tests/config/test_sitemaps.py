"""What search engines read: sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

import pytest

from tests.blog.factories import PostFactory
from tests.shop.factories import ProductFactory

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def locations(client) -> list[str]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    urls = ET.fromstring(response.content).findall(f"{SITEMAP}url")
    return [url.find(f"{SITEMAP}loc").text for url in urls]


def test_the_sitemap_lists_the_pages_posts_and_products_on_sale(client, user):
    post = PostFactory(author=user)
    on_sale = ProductFactory(seller=user)
    hidden = ProductFactory(seller=user, is_active=False)
    found = locations(client)
    base = "http://testserver"
    assert found[:2] == [f"{base}/", f"{base}/shop/"]
    assert f"{base}{post.get_absolute_url()}" in found
    assert f"{base}{on_sale.get_absolute_url()}" in found
    assert f"{base}{hidden.get_absolute_url()}" not in found
    assert len(found) == 4


def test_the_sitemap_costs_the_same_queries_for_any_number_of_items(
    client, user, django_assert_max_num_queries
):
    for _ in range(30):
        PostFactory(author=user)
        ProductFactory(seller=user)
    with django_assert_max_num_queries(6):
        assert len(locations(client)) == 62


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_parts(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "User-agent: *"
    disallowed = {line.split(": ", 1)[1] for line in lines if line.startswith("Disallow: ")}
    assert {"/admin/", "/api/", "/accounts/", "/notifications/"} <= disallowed
    # What people should find stays open: the blog, the shop, the photos.
    assert not disallowed & {"/", "/shop/", "/posts/", "/media/", "/feed/"}
    assert lines[-1] == "Sitemap: http://testserver/sitemap.xml"
