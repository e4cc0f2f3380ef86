"""Programme officers' area."""
