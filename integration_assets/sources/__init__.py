"""API clients (httpx + pydantic, no Dagster): usable from a notebook as from an asset."""
