"""The JSON API under /api/v1: personal tokens, endpoints and the OpenAPI document."""
