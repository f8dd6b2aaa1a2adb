"""Matching people to care: shortlists, "why not?" and the optimal allocation of an area.

Pure Python + NumPy (SciPy for the allocation solver); no Django. Adapters in the Django apps
turn offers and discharge cases into the plain data defined in `model`."""
