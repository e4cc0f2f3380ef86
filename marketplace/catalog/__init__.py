"""Public catalogue: home page, products and producers."""
