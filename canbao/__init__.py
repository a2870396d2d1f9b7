"""Composition root: settings, the database (embedded or external), the CLI and the web app.

Thin on purpose: no enrollment rules live here; they are in `domain/`.
"""
