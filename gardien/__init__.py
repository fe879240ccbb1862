"""Gardien: a self-hosted community keeper for brands."""

__version__ = "0.1.0"
