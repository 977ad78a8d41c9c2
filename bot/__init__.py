"""Wiring of the system: settings, process launcher, channels and the widget page."""
