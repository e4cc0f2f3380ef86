"""Forms for cart and checkout."""
