"""One folder per model, each listed once in estimates.registry."""
