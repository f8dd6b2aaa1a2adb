"""Discharge-pathway planning: scenarios, simulation, forecasts and capacity search.

Pure Python + NumPy, no Django: every function takes and returns plain data, and anything
random takes a `numpy.random.Generator` (or a seed it turns into independent streams), never a
global seed. Modules: `scenario` (what an analyst describes), `files` (JSON, CSV and xlsx),
`engine` (the simulation and the process pool), `results` (medians, bands, totals,
comparisons), `optimise` (the cheapest capacity meeting a wait target) and `forecast` (daily
discharges per pathway over the next 14 days)."""
