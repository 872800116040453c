"""Synthetic census generator (SPEC section 6).  See DGP.md for the data-generating process."""
from .build import generate_census
from .cli import main

__all__ = ["generate_census", "main"]
