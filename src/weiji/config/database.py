"""Database settings from WEIJI_DATABASE_URL (sqlite:///path or postgresql://...)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from weiji.config.env import env_str, var_dir


def database_from_url(url: str) -> dict:
    """Turn a database URL into a Django DATABASES entry."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative/path, sqlite:////absolute/path
        raw = url.split("sqlite://", 1)[1]
        path = raw[1:]
        name = str(Path(unquote(path)).resolve()) if path and path != ":memory:" else ":memory:"
        if name != ":memory:":
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
                ),
            },
            "TEST": {"NAME": env_str("WEIJI_TEST_DB_NAME") or None},
        }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "weiji",
            "USER": unquote(parsed.username or "postgres"),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
            "TEST": {"NAME": env_str("WEIJI_TEST_DB_NAME") or None},
        }
    raise ValueError(
        f"WEIJI_DATABASE_URL: unsupported scheme {scheme!r} (use sqlite:/// or postgresql://)"
    )


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'weiji.sqlite3'}"


def databases() -> dict:
    return {"default": database_from_url(env_str("WEIJI_DATABASE_URL") or default_database_url())}
