"""`integration-assets bench`: the product measured at Black-Friday scale against its floors.

The model bench (`run.py`) lands a merchant of the requested size in a fresh lake and times the
models and checks; `ingest.py` measures extraction against Shopify's point bucket; `recovery.py`
kills a backfill and proves the resumed result equals an uninterrupted one.
"""
