"""Platform adapters and their text rules."""
