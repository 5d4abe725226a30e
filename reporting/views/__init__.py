"""Pages of the reporting app, one module per audience: PSO analysts, practices, PSO staff, themes."""
