"""`python -m humaspost` runs the command line."""

from humaspost.cli.app import main

main()
