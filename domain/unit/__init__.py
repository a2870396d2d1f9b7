"""The unit aggregate (参保单位), keyed by its code: commands, events, state, decider."""
