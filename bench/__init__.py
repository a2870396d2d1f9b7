"""`canbao bench`: every speed figure beside a baseline measured in the same run."""
