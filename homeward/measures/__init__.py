"""Metric definitions, defined once and computed everywhere. Pure Python + NumPy: no Django."""
