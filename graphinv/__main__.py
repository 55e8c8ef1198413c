"""`python -m graphinv` is the `graphinv` command."""

from graphinv.cli import main

main()
