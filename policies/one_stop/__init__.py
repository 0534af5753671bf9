"""Rules of the one-stop approval process: intake and channels, visits and ratings."""
