"""Faithful fakes of the platforms the bot talks to, served on loopback by the tests."""
