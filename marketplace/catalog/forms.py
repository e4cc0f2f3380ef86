"""Forms for the public catalogue (search and filters arrive with the catalogue issue)."""
