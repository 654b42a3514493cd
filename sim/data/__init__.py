"""What comes in: history files, StatBank, case registers."""
