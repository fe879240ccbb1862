"""Insights: what customers like and want, who the advocates are, events and fair giveaways.

Everything in this package is pure (no I/O): the store feeds it rows, the edges render it."""
