"""Behaviour channels: how patients (and providers) respond to prices, rules and capabilities.

Each module is one channel with its own mechanism switch (``mechanisms:``); functions take arrays and
config sections and return arrays, so the model's stages stay a handful of array operations.
"""
