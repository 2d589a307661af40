"""Benchmarks: each figure measured beside its floor in the same run (see README "Speed")."""
