"""The policy engine: a community's rules as a versioned file, compiled once, judged purely.

It returns a Decision with its reasons and never acts; see docs/POLICY.md.
"""
