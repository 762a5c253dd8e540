"""The accounts blueprint with all its pages: getting in (`login_views`) and an account's
own pages (`profile_views`); importing them adds their routes to `bp`."""

from vocportal.accounts import login_views, profile_views  # noqa: F401  (their routes)
from vocportal.accounts.blueprint import bp

__all__ = ["bp"]
