"""Shopify webhook deliveries: signatures and the landing-folder envelope files."""
