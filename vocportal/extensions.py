"""Flask extensions, created unbound here and initialised in the app factory."""

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic migrations are reviewable and portable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def limiter_storage_uri(app: Flask) -> str:
    """Where rate limits count: RATELIMIT_STORAGE_URI if set, else the Redis the app uses
    for jobs (REDIS_URL or the embedded server), so every worker process shares them."""
    if app.config.get("RATELIMIT_STORAGE_URI"):
        return app.config["RATELIMIT_STORAGE_URI"]
    from vocportal.redis_client import redis_url

    url = redis_url(app)
    return "redis+unix://" + url[len("unix://") :] if url.startswith("unix://") else url


class PortalLimiter(Limiter):
    """Flask-Limiter, counting in Redis by default (see `limiter_storage_uri`)."""

    def init_app(self, app: Flask) -> None:
        app.config["RATELIMIT_STORAGE_URI"] = limiter_storage_uri(app)
        super().init_app(app)


limiter = PortalLimiter(key_func=get_remote_address)
talisman = Talisman()
