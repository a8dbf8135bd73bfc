"""What the assistant keeps about visitors, and for how long (SECURITY.md, docs/confidentialite.md).

- `sender_ids`: the keyed hash that replaces a visitor's id in the conversation store;
- `tracker_store`: Rasa's SQL tracker store, storing only those hashes;
- `retention`: the purge of old conversations and the erasure of one on request;
- `cli`: `python -m bot confidentialite purger | effacer ID`.
"""
