"""The performance dashboard."""
