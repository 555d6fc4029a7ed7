"""Django settings for Weiji. Everything site-specific is read from the environment."""

from __future__ import annotations

from pathlib import Path

from weiji.config.celery import *  # noqa: F401,F403
from weiji.config.database import databases
from weiji.config.env import env_bool, env_int, env_str, secret_key, var_dir
from weiji.config.messaging import *  # noqa: F401,F403

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir()

SECRET_KEY = secret_key()
DEBUG = env_bool("WEIJI_DEBUG", False)
ALLOWED_HOSTS = [h for h in env_str("WEIJI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("WEIJI_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "weiji.core",
    "weiji.accounts",
    "weiji.orgunits",
    "weiji.registry",
    "weiji.records",
    "weiji.worklists",
    "weiji.messaging",
    "weiji.reconcile",
    "weiji.indicators",
    "weiji.campaigns",
    "weiji.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "weiji.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "weiji.accounts.middleware.InactivityTimeoutMiddleware",
]

ROOT_URLCONF = "weiji.web.urls"
WSGI_APPLICATION = "weiji.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

DATABASES = databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("WEIJI_SESSION_SECONDS", 8 * 3600)
WEIJI_INACTIVITY_SECONDS = env_int("WEIJI_INACTIVITY_SECONDS", 30 * 60)
WEIJI_LOGIN_MAX_FAILURES = env_int("WEIJI_LOGIN_MAX_FAILURES", 5)
WEIJI_LOGIN_LOCK_SECONDS = env_int("WEIJI_LOGIN_LOCK_SECONDS", 15 * 60)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("WEIJI_LOG_LEVEL", "WARNING")},
}
