"""The local simulator: a seeded demo merchant served through faithful copies of the real APIs."""
