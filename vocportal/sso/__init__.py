"""Single sign-on with OpenID Connect providers (Authlib)."""
