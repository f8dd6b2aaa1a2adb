"""Planning scenarios on the web and the API: saved scenarios per organisation, runs done in
slices with progress, results with bands charts and tables, comparisons, the cheapest capacity
meeting a wait target, and the 14-day forecast from case history. The simulation itself is the
pure `homeward.planning`."""
