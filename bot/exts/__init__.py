"""One extension per concern; each ends with ``setup(bot)``."""
