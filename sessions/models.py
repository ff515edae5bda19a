"""Models of the sessions app."""
