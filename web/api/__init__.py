"""The public machine-readable API: no sign-in, directory data only (see hsds.py)."""
