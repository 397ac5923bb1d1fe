"""The track record: judgments kept across runs, to be scored against what happened."""
