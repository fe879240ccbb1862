"""Classifiers: each predicts scores for a batch of texts and nothing else (no I/O, no decisions)."""
