"""Producers: onboarding, shop workspace, products."""
