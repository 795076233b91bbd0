"""Recording what a service is called with, while still calling it."""

from types import ModuleType


def spy(monkeypatch, module: ModuleType, name: str) -> list[dict]:
    """Record every call of `module.<name>` (models as their pks), still making it."""
    calls: list[dict] = []
    real = getattr(module, name)

    def recording(**kwargs):
        calls.append({key: getattr(value, "pk", value) for key, value in kwargs.items()})
        return real(**kwargs)

    monkeypatch.setattr(module, name, recording)
    return calls
