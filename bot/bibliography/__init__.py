"""The library's reading list in SQL: models, seed loading, search and French citations.

Nothing here knows about Rasa: actions call these functions with a SQLAlchemy session.
"""
