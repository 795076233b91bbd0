"""Demo data shared by `manage.py seed_demo` and the tests: who the demo users are."""

DEMO_PASSWORD = "agora-demo"  # noqa: S105 - documented in the README; demo only
DEMO_USERS = [
    # username, email, first name
    ("alice", "alice@example.com", "Alice"),
    ("bob", "bob@example.com", "Bob"),
    ("carol", "carol@example.com", "Carol"),
]
DEMO_ADMIN = ("admin", "admin@example.com")
