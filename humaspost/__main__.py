"""`python -m humaspost` runs the command line."""

from humaspost.cli.launch import main

main()
