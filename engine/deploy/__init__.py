"""Deployment: a run's Pareto-optimal systems as int8 TFLite models and C arrays, with accuracy
and memory measured on that form (`run-spec export`; the `deploy` extra)."""
