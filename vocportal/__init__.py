"""vocportal: a self-hostable voice-of-customer portal."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from vocportal.assets import register_assets
from vocportal.config import RESOURCES_ROOT, default_instance_path, load_config
from vocportal.request_guard import register_request_guard


def create_app(config: dict | None = None, instance_path: str | Path | None = None) -> Flask:
    """Build the Flask app: read config, wire extensions, blueprints and error pages."""
    app = Flask(
        __name__,
        template_folder=str(RESOURCES_ROOT / "templates"),
        static_folder=str(RESOURCES_ROOT / "static"),
        instance_path=str(instance_path or default_instance_path()),
        instance_relative_config=True,
    )
    from vocportal.web import BoundedIntConverter

    # <int:...> in every route: ids beyond a 64-bit integer are a 404, not a database error.
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)

    register_request_guard(app)
    register_assets(app)
    register_extensions(app)
    register_blueprints(app)
    register_subscribers()
    from vocportal.audit import init_app as init_audit
    from vocportal.embeddings.warm import register_warm_up
    from vocportal.errors import register_error_handlers
    from vocportal.pagecache import register_invalidation
    from vocportal.web import apply_proxy_fix, private_cache, register_template_helpers

    register_error_handlers(app)
    register_template_helpers(app)
    # Logged-in pages are private; behind PROXY_FIX_HOPS proxies, the client's address.
    app.after_request(private_cache)
    apply_proxy_fix(app)
    # Commits that change what anonymous visitors may see clear every process's page cache
    # (web, workers and commands all change ideas through the same sessions).
    register_invalidation()
    register_warm_up(app)
    init_audit(app)
    return app


def register_subscribers() -> None:
    """Connect each feature's listeners to the ideas' domain events (vocportal.ideas.events).

    Blinker keeps one connection per receiver, so building several apps connects once.
    """
    from vocportal.api import subscribers as api
    from vocportal.embeddings import subscribers as embeddings
    from vocportal.live import subscribers as live
    from vocportal.moderation import subscribers as moderation
    from vocportal.notifications import subscribers as notifications
    from vocportal.questions import subscribers as questions
    from vocportal.trackers import subscribers as trackers
    from vocportal.triage import subscribers as triage
    from vocportal.webhooks import subscribers as webhooks

    for feature in (
        moderation,
        notifications,
        webhooks,
        embeddings,
        triage,
        api,
        live,
        questions,
        trackers,
    ):
        feature.connect()
    # The changelog says where shipped ideas were announced (vocportal.ideas.page).
    from vocportal.changelog import subscribers as changelog

    changelog.connect()
    # Reports sit above webhooks in the layers (they read themes), so the chat announcement
    # of a weekly report is wired here rather than imported by either side.
    from vocportal.reports import events as report_events

    report_events.weekly_report_ready.connect(webhooks.on_weekly_report_ready)


def register_extensions(app: Flask) -> None:
    from vocportal import models  # noqa: F401  (every model registered with the metadata)
    from vocportal.auth_loader import load_user
    from vocportal.extensions import csrf, db, limiter, login_manager, migrate, talisman

    db.init_app(app)
    migrate.init_app(app, db, directory=str(RESOURCES_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Log in to do that."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)
    from vocportal.queue.operations import register_queue_hooks

    register_queue_hooks()
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy={
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "object-src": "'none'",
            "base-uri": "'self'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        },
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="strict-origin-when-cross-origin",
        frame_options="DENY",
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from vocportal.sqlite import enable_sqlite_pragmas

        with app.app_context():
            enable_sqlite_pragmas(db.engine)


def register_blueprints(app: Flask) -> None:
    from vocportal.accounts.views import bp as accounts_bp
    from vocportal.activity.views import bp as activity_bp
    from vocportal.admin.views import bp as admin_bp
    from vocportal.api.pages import bp as api_pages_bp
    from vocportal.api.views import bp as api_bp
    from vocportal.api.views import register_api
    from vocportal.changelog.views import bp as changelog_bp
    from vocportal.customers.views import bp as customers_bp
    from vocportal.embeddings.views import bp as similar_bp
    from vocportal.extensions import csrf
    from vocportal.feedback.views import bp as feedback_bp
    from vocportal.ideas.views import bp as ideas_bp
    from vocportal.live.views import bp as live_bp
    from vocportal.moderation.views import bp as moderation_bp
    from vocportal.notifications.views import bp as notifications_bp
    from vocportal.privacy.views import bp as privacy_bp
    from vocportal.questions.views import bp as questions_bp
    from vocportal.queue.views import bp as queue_bp
    from vocportal.reports.views import bp as reports_bp
    from vocportal.sso.views import bp as sso_bp
    from vocportal.themes.views import bp as themes_bp
    from vocportal.trackers.views import bp as trackers_bp
    from vocportal.triage.views import bp as triage_bp
    from vocportal.webhooks.views import bp as webhooks_bp

    app.register_blueprint(ideas_bp)
    app.register_blueprint(similar_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(queue_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(changelog_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(activity_bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(feedback_bp)
    app.register_blueprint(customers_bp)
    app.register_blueprint(api_pages_bp)
    app.register_blueprint(sso_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(live_bp)
    app.register_blueprint(questions_bp)
    app.register_blueprint(trackers_bp)
    # The JSON API authenticates with bearer tokens only (never the session cookie), so
    # CSRF does not apply to it; see vocportal.api.views for cookie-carrying requests.
    csrf.exempt(api_bp)
    register_api(app)
