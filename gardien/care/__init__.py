"""The care inbox's pure core: virality risk, SLA clock, assignment, routing, replies, spikes.

Nothing here reads the database or the clock; callers pass in what they know and act on answers.
"""
