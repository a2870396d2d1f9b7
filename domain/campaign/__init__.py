"""The verification campaign (核对, seed 000) as an aggregate of its own, keyed by its id."""
