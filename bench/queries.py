"""Queries per request, counted in-process (CaptureQueriesContext), one request per URL.

Run with the server environment and DJANGO_SETTINGS_MODULE=bench.peers.drf_peer.settings;
argv: the seed file, then the paths. Prints one JSON object.
"""

import json
import sys

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main(seed_file: str, paths: list[str]) -> None:
    with open(seed_file) as f:
        seed = json.load(f)
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = seed["session"]
    out = {}
    for path in paths:
        client.get(path)  # warm: lazy imports, caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        out[path] = {
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(queries.captured_queries),
            "sql": [q["sql"][:200] for q in queries.captured_queries],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
