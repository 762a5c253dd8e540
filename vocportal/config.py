"""Configuration read from environment variables, with defaults for a local portal.

Every variable is documented in the README's Configuration section.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
#: Where templates/, static/ and migrations/ are read from: the checkout's top level, or in
#: an installed wheel the copies its build put inside the package (see setup.py).
RESOURCES_ROOT = (
    PACKAGE_DIR / "_resources" if (PACKAGE_DIR / "_resources").is_dir() else PROJECT_ROOT
)


def default_instance_path() -> Path:
    """VOCPORTAL_INSTANCE_PATH, else instance/ in the checkout, else ./instance."""
    if os.environ.get("VOCPORTAL_INSTANCE_PATH"):
        return Path(os.environ["VOCPORTAL_INSTANCE_PATH"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "instance"
    return Path.cwd() / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # O_EXCL: when two processes start at once, the loser reads the winner's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'vocportal.db'}"
    # Accept the common postgres:// and postgresql:// spellings; we drive psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: Providers that need only a client id and secret (OIDC_<NAME>_DISCOVERY_URL may override).
#: Microsoft's issuer names the tenant, so its URL takes OIDC_MICROSOFT_TENANT (a tenant id,
#: or "consumers" for personal accounts; "common" and "organizations" have no fixed issuer).
OIDC_PRESETS = {
    "google": ("Google", "https://accounts.google.com/.well-known/openid-configuration"),
    "microsoft": (
        "Microsoft",
        "https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration",
    ),
}


def _oidc_providers() -> list[dict]:
    """Read OIDC_PROVIDERS (names, comma-separated) and each OIDC_<NAME>_* variable."""
    providers = []
    for name in [n.strip().lower() for n in os.environ.get("OIDC_PROVIDERS", "").split(",")]:
        if not name:
            continue
        if name == "github":
            raise ValueError(
                "OIDC_PROVIDERS: GitHub speaks OAuth 2, not OpenID Connect (no ID token, no "
                "issuer to check); put it behind an OpenID broker (Dex, Keycloak) instead."
            )
        prefix = f"OIDC_{name.upper()}_"
        label, url = OIDC_PRESETS.get(name, (name.title(), ""))
        if name == "microsoft" and not os.environ.get(prefix + "DISCOVERY_URL"):
            if not os.environ.get(prefix + "TENANT"):
                raise ValueError(f"OIDC provider 'microsoft': set {prefix}TENANT")
            url = url.format(tenant=os.environ[prefix + "TENANT"])
        provider = {
            "name": name,
            "label": os.environ.get(prefix + "LABEL") or label,
            "discovery_url": os.environ.get(prefix + "DISCOVERY_URL") or url,
            "client_id": os.environ.get(prefix + "CLIENT_ID", ""),
            "client_secret": os.environ.get(prefix + "CLIENT_SECRET", ""),
        }
        missing = [k for k in ("discovery_url", "client_id", "client_secret") if not provider[k]]
        if missing:
            names = ", ".join(prefix + k.upper() for k in missing)
            raise ValueError(f"OIDC provider {name!r}: set {names}")
        providers.append(provider)
    return providers


def load_config(instance_path: Path) -> dict:
    """Build the configuration mapping for an app whose instance folder is `instance_path`."""
    database_url = _database_url(instance_path)
    engine_options: dict = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        # Writers wait for each other instead of failing with "database is locked".
        engine_options = {"connect_args": {"timeout": 30}}
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        # Mail: log:// writes emails to the log (the local default); smtp://, smtp+starttls://
        # and smtps:// send them (user:password@host:port in the URL).
        "MAIL_URL": os.environ.get("MAIL_URL", "log://"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "vocportal <noreply@vocportal.localhost>"),
        "PORTAL_NAME": os.environ.get("PORTAL_NAME", "Tallyhive feedback"),
        # The portal's public address, for links in emails sent by workers.
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        # Behind TLS, set SESSION_COOKIE_SECURE=true (and FORCE_HTTPS=true for HSTS + redirect).
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "FORCE_HTTPS": _bool("FORCE_HTTPS", False),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Rate limits count in the Redis the jobs use (REDIS_URL or the embedded server), so
        # every web worker shares them; a limits storage URI here overrides that (memory://
        # counts per process). While the storage is unreachable they count per process.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", ""),
        "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_HEADERS_ENABLED": True,
        # Reverse proxies in front of the portal that set X-Forwarded-For/-Proto (0: none,
        # the socket's peer is the client). Rate limits count per client address.
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        # Limits per client address, in Flask-Limiter's notation.
        "LIMIT_SIGNUP": os.environ.get("LIMIT_SIGNUP", "10/hour"),
        "LIMIT_LOGIN": os.environ.get("LIMIT_LOGIN", "10/minute;50/hour"),
        # Failed logins to one account from addresses it has never logged in from, whatever
        # the address (a guesser spread over many); its own addresses are never held back.
        "LIMIT_LOGIN_ACCOUNT": os.environ.get("LIMIT_LOGIN_ACCOUNT", "20/hour"),
        "LIMIT_RESET": os.environ.get("LIMIT_RESET", "5/hour"),
        "LIMIT_MAGIC_LINK": os.environ.get("LIMIT_MAGIC_LINK", "5/hour"),
        "LIMIT_POST": os.environ.get("LIMIT_POST", "20/hour"),
        "LIMIT_COMMENT": os.environ.get("LIMIT_COMMENT", "60/hour"),
        "LIMIT_VOTE": os.environ.get("LIMIT_VOTE", "120/minute"),
        "LIMIT_SIMILAR": os.environ.get("LIMIT_SIMILAR", "120/minute"),
        # Moderation (vocportal.moderation): whose posts wait for staff review (off, new or
        # everyone), how many published posts make a person no longer new, how few seconds
        # between showing a form and sending it flag a post, and how many links hold it.
        "MODERATION": _choice("MODERATION", ("off", "new", "everyone"), "off"),
        "MODERATION_NEW_POSTS": int(os.environ.get("MODERATION_NEW_POSTS", "2")),
        "MODERATION_MIN_SECONDS": float(os.environ.get("MODERATION_MIN_SECONDS", "3")),
        "MODERATION_MAX_LINKS": int(os.environ.get("MODERATION_MAX_LINKS", "2")),
        # The JSON API: every request per token, and per address without one.
        "LIMIT_API": os.environ.get("LIMIT_API", "600/minute"),
        "LIMIT_API_ANONYMOUS": os.environ.get("LIMIT_API_ANONYMOUS", "60/minute"),
        # Largest request body on any route (Flask answers 413 above it), and the larger
        # ceiling of upload forms (the feedback CSV import).
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", str(1024 * 1024))),
        "UPLOAD_MAX_BYTES": int(os.environ.get("UPLOAD_MAX_BYTES", str(64 * 1024 * 1024))),
        # Largest API request body (a bulk feedback import of 1,000 items fits).
        "API_MAX_BODY_BYTES": int(os.environ.get("API_MAX_BODY_BYTES", str(16 * 1024 * 1024))),
        # argon2id cost; the defaults follow argon2-cffi's RFC 9106 "low memory" profile.
        "ARGON2_TIME_COST": int(os.environ.get("ARGON2_TIME_COST", "3")),
        "ARGON2_MEMORY_COST": int(os.environ.get("ARGON2_MEMORY_COST", str(64 * 1024))),
        "PASSWORD_RESET_MAX_AGE": int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600")),
        # Seconds an emailed confirm-your-address link, and a sign-in link, stay valid.
        "EMAIL_VERIFY_MAX_AGE": int(os.environ.get("EMAIL_VERIFY_MAX_AGE", str(2 * 24 * 3600))),
        "MAGIC_LINK_MAX_AGE": int(os.environ.get("MAGIC_LINK_MAX_AGE", "900")),
        # Two-factor authentication: staff and admins must enrol a TOTP authenticator before
        # any staff page (and their tokens before the staff API); codes typed at login, per
        # account; seconds between the password and the code before login starts over.
        "REQUIRE_STAFF_MFA": _bool("REQUIRE_STAFF_MFA", True),
        "LIMIT_MFA": os.environ.get("LIMIT_MFA", "5/minute;20/hour"),
        "MFA_LOGIN_MAX_AGE": int(os.environ.get("MFA_LOGIN_MAX_AGE", "300")),
        "IDEAS_PER_PAGE": 20,
        # Background jobs: a Redis server, or (empty) the embedded one under instance/.
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        # Seconds between attempts of a failed job (its attempts - 1 retries use them in order).
        "JOB_RETRY_INTERVALS": [
            int(x) for x in os.environ.get("JOB_RETRY_INTERVALS", "10,60,300").split(",") if x
        ],
        # How long a job may sit unseen (or overrun its timeout) before the sweeper re-drives it.
        "JOB_SWEEP_GRACE_SECONDS": int(os.environ.get("JOB_SWEEP_GRACE_SECONDS", "60")),
        # Periodic work run by `vocportal scheduler` (RQ's cron scheduler).
        "SWEEP_INTERVAL_SECONDS": int(os.environ.get("SWEEP_INTERVAL_SECONDS", "60")),
        "TOPICS_REFRESH_SECONDS": int(os.environ.get("TOPICS_REFRESH_SECONDS", "3600")),
        # Themes: above this many items a sample of this size is fitted and the rest placed
        # in their nearest theme (unset: the pipeline's default, 20,000).
        "THEMES_SAMPLE_ABOVE": int(os.environ.get("THEMES_SAMPLE_ABOVE") or 0) or None,
        # Notifications: a send claim older than this is taken as a dead worker's and
        # re-driven; digests go out once a day at this UTC hour; theme alerts are checked
        # this often.
        "NOTIFY_CLAIM_STALE_SECONDS": int(os.environ.get("NOTIFY_CLAIM_STALE_SECONDS", "300")),
        # Feedback intake: sites allowed to embed the widget (comma-separated origins, or *),
        # its rate limit, and the shared secret of the inbound-email webhook (unset: off).
        "WIDGET_ALLOWED_ORIGINS": [
            o.strip() for o in os.environ.get("WIDGET_ALLOWED_ORIGINS", "*").split(",") if o.strip()
        ],
        "LIMIT_WIDGET": os.environ.get("LIMIT_WIDGET", "20/hour"),
        "LIMIT_TRACKER_HOOK": os.environ.get("LIMIT_TRACKER_HOOK", "600/minute"),
        "INBOUND_EMAIL_SECRET": os.environ.get("INBOUND_EMAIL_SECRET", ""),
        # Questions to customers: how long a reply link (and a reply by email) is taken, the
        # address whose "+token" form carries email replies (unset: no Reply-To; people
        # answer by link or on the page), and after how many days an unanswered question is
        # listed for staff.
        "QUESTION_REPLY_MAX_AGE": int(os.environ.get("QUESTION_REPLY_MAX_AGE", "2592000")),
        "QUESTION_REPLY_ADDRESS": os.environ.get("QUESTION_REPLY_ADDRESS", ""),
        "QUESTIONS_UNANSWERED_DAYS": int(os.environ.get("QUESTIONS_UNANSWERED_DAYS", "7")),
        # Recipients a fan-out job writes per commit.
        "NOTIFY_FANOUT_CHUNK": int(os.environ.get("NOTIFY_FANOUT_CHUNK", "1000")),
        "DIGEST_HOUR_UTC": int(os.environ.get("DIGEST_HOUR_UTC", "8")),
        # Hour (UTC) on Mondays the weekly voice-of-customer report for the week before goes out.
        "WEEKLY_REPORT_HOUR_UTC": int(os.environ.get("WEEKLY_REPORT_HOUR_UTC", "7")),
        "THEME_ALERTS_SECONDS": int(os.environ.get("THEME_ALERTS_SECONDS", "3600")),
        # Outbound webhooks: targets on private, loopback, link-local (and other non-public)
        # addresses are refused unless this is on; seconds to wait for a receiver; attempts
        # per delivery before it is failed (retried at JOB_RETRY_INTERVALS).
        "WEBHOOK_ALLOW_PRIVATE": _bool("WEBHOOK_ALLOW_PRIVATE", False),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10")),
        "WEBHOOK_ATTEMPTS": int(os.environ.get("WEBHOOK_ATTEMPTS", "5")),
        # Issue trackers (vocportal.trackers): each tracker's webhook secret (unset: its
        # webhook answers 404), and the token a new link's comment is posted with (unset:
        # nothing is posted, and the settings page says so). Comments go out like webhook
        # deliveries: same address rules, timeout and attempts.
        "TRACKER_GITHUB_SECRET": os.environ.get("TRACKER_GITHUB_SECRET", ""),
        "TRACKER_GITHUB_TOKEN": os.environ.get("TRACKER_GITHUB_TOKEN", ""),
        "TRACKER_GITHUB_API_URL": os.environ.get(
            "TRACKER_GITHUB_API_URL", "https://api.github.com"
        ),
        "TRACKER_GITLAB_SECRET": os.environ.get("TRACKER_GITLAB_SECRET", ""),
        "TRACKER_GITLAB_TOKEN": os.environ.get("TRACKER_GITLAB_TOKEN", ""),
        "TRACKER_JIRA_SECRET": os.environ.get("TRACKER_JIRA_SECRET", ""),
        "TRACKER_JIRA_EMAIL": os.environ.get("TRACKER_JIRA_EMAIL", ""),
        "TRACKER_JIRA_TOKEN": os.environ.get("TRACKER_JIRA_TOKEN", ""),
        "TRACKER_LINEAR_SECRET": os.environ.get("TRACKER_LINEAR_SECRET", ""),
        "TRACKER_LINEAR_TOKEN": os.environ.get("TRACKER_LINEAR_TOKEN", ""),
        "TRACKER_LINEAR_API_URL": os.environ.get(
            "TRACKER_LINEAR_API_URL", "https://api.linear.app/graphql"
        ),
        # Live updates (vocportal.live): sse (a stream, polling when it drops), poll (only
        # polling, every LIVE_POLL_SECONDS) or off; streams one web process holds at once
        # (each holds a gunicorn thread: keep it below --threads), beyond which pages poll;
        # seconds between keep-alive comments and before a stream ends (the browser
        # reconnects).
        "LIVE_UPDATES": _choice("LIVE_UPDATES", ("sse", "poll", "off"), "sse"),
        "LIVE_POLL_SECONDS": float(os.environ.get("LIVE_POLL_SECONDS", "15")),
        "LIVE_MAX_STREAMS": int(os.environ.get("LIVE_MAX_STREAMS", "4")),
        "LIVE_HEARTBEAT_SECONDS": float(os.environ.get("LIVE_HEARTBEAT_SECONDS", "20")),
        "LIVE_STREAM_SECONDS": float(os.environ.get("LIVE_STREAM_SECONDS", "300")),
        # Anonymous visitors may see public list pages up to this many seconds old (0: off).
        "ANONYMOUS_PAGE_CACHE_SECONDS": float(os.environ.get("ANONYMOUS_PAGE_CACHE_SECONDS", "5")),
        # Single sign-on: OpenID Connect providers (see _oidc_providers), and whether people
        # may also sign up and log in with a password (off: SSO only, no emailed sign-in
        # links or password resets either).
        "OIDC_PROVIDERS": _oidc_providers(),
        "PASSWORD_LOGIN": _bool("PASSWORD_LOGIN", True),
        # Seconds to wait for a provider's discovery, token and key endpoints.
        "OIDC_TIMEOUT_SECONDS": float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10")),
    }
