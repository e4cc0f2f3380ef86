"""Forms for producers."""
