"""Behaviour channels: how providers and patients respond to the rules in force (between policy and model)."""
