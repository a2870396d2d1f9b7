"""The pure enrollment model: code tables, validation, events, deciders, bitemporal time.

Nothing here does I/O; everything here can be folded, replayed and property-tested.
"""
