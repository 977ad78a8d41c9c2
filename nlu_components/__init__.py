"""Custom Rasa graph components of the NLU pipeline (referenced by module path in config.yml)."""
