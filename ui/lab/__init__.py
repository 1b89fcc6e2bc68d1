"""The two lab pages' sections."""
