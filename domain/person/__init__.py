"""The insured person (参保人员), keyed by national identity: every enrollment in every region
lives in one stream, so "no new duplicate within a scheme" is decided inside it."""
