"""The command line: thin typer wiring over the core."""
