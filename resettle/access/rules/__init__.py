"""The rules about each domain's records, one module per domain, built on the access core."""
