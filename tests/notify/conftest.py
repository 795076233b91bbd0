"""Fixtures shared by the stream tests: people, and streams closed at the end of the test."""

import pytest

from tests.factories import UserFactory
from tests.live import session_cookies
from tests.sse import SSEClient

STREAM = "/notifications/stream/"


@pytest.fixture
def people(db):
    return {name: UserFactory(username=name) for name in ("anna", "boris", "clara")}


@pytest.fixture
def streams():
    opened: list[SSEClient] = []

    def open_stream(server, user=None, query: str = "", **headers: str) -> SSEClient:
        cookies = session_cookies(user) if user else {}
        client = SSEClient(server.url + STREAM + query, cookies=cookies, headers=headers)
        opened.append(client)
        return client

    yield open_stream
    for client in opened:
        client.close()
