"""`python -m vocportal.cli ...`: the same as the `vocportal` console script."""

from vocportal.cli import main

main()
