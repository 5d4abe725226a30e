"""The load test's ceiling: a bare Django view that validates an 8-field form and inserts one row (bench only)."""
