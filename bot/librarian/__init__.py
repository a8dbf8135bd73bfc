"""The librarians' commands: check the data, import and export readings, review what the
assistant did not understand, and look at how it is used.

Each module is one family of commands; `cli.py` wires them into `python -m bot`. Messages are
in French, problems come back as sentences saying what to do, never as tracebacks.
"""
