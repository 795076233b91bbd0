"""Property-based run over the generated OpenAPI schema against a live daphne.

Schemathesis draws requests for every operation from the schema (valid ones, and ones
that break it), anonymous and with an allauth session token, and checks every answer: never
a 5xx, always a documented status, content type and body.
"""

from decimal import Decimal

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from tests.blog.factories import CommentFactory, PostFactory, ReactionFactory
from tests.factories import PASSWORD, UserFactory
from tests.notify.factories import make_notification
from tests.shop.factories import CategoryFactory, ProductFactory, fund

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Ids and usernames that seed() creates (objects of each kind are numbered from 1).
EXISTING = [(1, "alice"), (2, "bob"), (3, "moderator")]
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}


def seed() -> None:
    """A little of everything, so that small generated ids often hit real objects."""
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    UserFactory(username="moderator", is_staff=True)
    fund(alice, "100000.00")
    fund(bob, "100000.00")
    books = CategoryFactory(slug="books", name="Books")
    for author in (alice, bob, alice):
        post = PostFactory(author=author)
        CommentFactory(post=post, author=bob)
        ReactionFactory(post=post, user=bob)
    for seller in (bob, alice, bob):
        ProductFactory(seller=seller, category=books, stock=1000, price=Decimal("1.50"))
    make_notification("comment", alice, bob, "Hi")
    make_notification("new_post", None, bob, "News")


def login(server_url: str) -> str:
    response = httpx.post(
        f"{server_url}/_allauth/app/v1/auth/login",
        json={"username": "alice", "password": PASSWORD},
    )
    assert response.status_code == 200, response.text
    return response.json()["meta"]["session_token"]


def refused_by_daphne(response) -> bool:
    """Daphne's HTTP layer (Twisted) parses every multipart/form-data body itself before the
    application sees it, and answers one it cannot parse with a bare 400: no headers, no body.
    Agora never sees that request, so the answer cannot be in its schema."""
    return response.status_code == 400 and not response.content and not response.headers


def fuzz(operation, mode: GenerationMode, base_url: str, token: str) -> None:
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(
        case=operation.as_strategy(generation_mode=mode),
        signed_in=st.sampled_from([True, True, True, False]),
        existing=st.none() | st.sampled_from(EXISTING),
    )
    def run(case, signed_in: bool, existing: tuple[int, str] | None) -> None:
        if signed_in:
            case.headers = {**(case.headers or {}), "X-Session-Token": token}
        if existing is not None and case.path_parameters:
            # Generated ids rarely name a real object; half the time, aim at a seeded one.
            for name, value in (("id", existing[0]), ("username", existing[1])):
                if name in case.path_parameters:
                    case.path_parameters[name] = value
        if not (case.media_type or "").startswith("multipart/"):
            case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=30)
            return
        response = case.call(base_url=base_url, timeout=30)
        if not refused_by_daphne(response):
            case.validate_response(response, checks=CHECKS, transport_kwargs={"base_url": base_url})

    run()


def test_the_schema_holds_for_generated_requests(daphne_server):
    seed()
    token = login(daphne_server.url)
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    for operation in operations:
        for mode in EXAMPLES:
            try:
                fuzz(operation, mode, daphne_server.url, token)
            except Unsatisfiable:
                # Nothing in the request can break the schema (no body, no typed parameter).
                assert mode == GenerationMode.NEGATIVE, operation.label
            except BaseExceptionGroup as exc:  # report every failing operation, not the first
                failures.append(f"{operation.label} ({mode}): {exc}")
    assert not failures, "\n\n".join(failures)
