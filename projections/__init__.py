"""Read models kept in PostgreSQL tables by tracked runners that follow the event log.

Answers list and cohort questions (who is enrolled where, rosters, duplicate sets, locks);
replay and single-person bitemporal questions go back to the events.
"""
