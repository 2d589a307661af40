"""Serving several app processes behind a reverse proxy (``make serve N=2``; README "Scale")."""
