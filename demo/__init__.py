"""Generated populations: realistic synthetic extracts for the sample data, tests and the bench."""
