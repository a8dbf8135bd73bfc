"""The website chat widget (built from widget/ into dist/) and its demo page (server.py)."""
