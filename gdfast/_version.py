"""gdfast's version, in one place (the package, its explorer page and its command line read it)."""
__version__ = "0.1.0"
