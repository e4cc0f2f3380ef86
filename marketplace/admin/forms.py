"""Forms for programme officers."""
