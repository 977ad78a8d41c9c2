"""Custom actions: thin adapters between Rasa trackers and the `knowledge` engine."""
