"""Business rules as plain functions with explicit arguments.

Views parse input, call one service function and render. Each service function that
changes data commits its own transaction, in one place, or rolls it back.
"""
