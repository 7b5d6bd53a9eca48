"""Behaviour channels: how patients and providers respond to the prices, rules and capabilities in force.

Each module is one channel with its own mechanism switch (``mechanisms:``); functions take arrays and
config sections and return arrays, so the model's stages stay a handful of array operations. The layer sits
between policy (the rules) and the model (which runs the channels as stages).
"""
